namespace QuotaKit.Tests.Shared;

/// <summary>
/// Finds a sample's built assembly for a test that runs it in its own process. The test project references the sample
/// (without its assembly) so it is built first, in the same configuration: its output folder mirrors the test's.
/// Linked into every test project that runs a sample.
/// </summary>
internal static class BuiltSample
{
    /// <summary>samples/&lt;sample&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;sample&gt;.dll, beside tests/&lt;test project&gt;/bin/...</summary>
    public static string FindDll(string sampleName, string testProjectName)
    {
        var testOutput = AppContext.BaseDirectory;
        var root = new DirectoryInfo(testOutput);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "QuotaKit.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"QuotaKit.sln was not found above {testOutput}.");
        }

        var relativeOutput = Path.GetRelativePath(Path.Combine(root.FullName, "tests", testProjectName), testOutput);
        var dll = Path.Combine(root.FullName, "samples", sampleName, relativeOutput, sampleName + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The built sample was not found at {dll}; build the solution first (dotnet build QuotaKit.sln).", dll);
    }
}
