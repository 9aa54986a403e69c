using System.Diagnostics;

namespace QuotaKit.PostgreSql.Tests.Samples;

/// <summary>
/// Runs the built console sample with <c>dotnet</c> in its own process. The test project references the sample project
/// (without its assembly) so it is built first, in the same configuration, next to this test assembly's layout.
/// </summary>
internal static class SampleProcess
{
    private const string SampleName = "QuotaKit.Samples.Console";

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string AllOutput => $"--- stdout ---{Environment.NewLine}{StandardOutput}{Environment.NewLine}--- stderr ---{Environment.NewLine}{StandardError}";
    }

    /// <summary>Runs the sample against <paramref name="connectionString"/>, or its own throwaway server when null.</summary>
    public static async Task<Result> RunAsync(string? connectionString, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(FindSampleDll());
        if (connectionString is not null)
        {
            start.ArgumentList.Add(connectionString);
        }

        start.Environment.Remove("QUOTAKIT_CONNECTION_STRING");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {timeout}. Output so far:{Environment.NewLine}{await output}");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>samples/QuotaKit.Samples.Console/bin/&lt;configuration&gt;/&lt;tfm&gt;/, mirroring this test assembly's folder.</summary>
    private static string FindSampleDll()
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

        var testProject = Path.Combine(root.FullName, "tests", "QuotaKit.PostgreSql.Tests");
        var relativeOutput = Path.GetRelativePath(testProject, testOutput);
        var dll = Path.Combine(root.FullName, "samples", SampleName, relativeOutput, SampleName + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The built sample was not found at {dll}; build the solution first (dotnet build QuotaKit.sln).", dll);
    }
}
