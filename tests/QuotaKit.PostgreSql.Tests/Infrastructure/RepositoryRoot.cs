namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>Finds the repository root (the folder holding QuotaKit.sln) from the test assembly's folder.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "QuotaKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"QuotaKit.sln not found above {AppContext.BaseDirectory}.");
    }
}
