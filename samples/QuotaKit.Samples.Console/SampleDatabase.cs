using QuotaKit.Testing;

namespace QuotaKit.Samples.Console;

/// <summary>
/// Where the sample stores usage: the database named by the first argument or QUOTAKIT_CONNECTION_STRING, else a
/// throwaway local PostgreSQL cluster (QuotaKit.Testing's launcher) deleted when the sample ends.
/// </summary>
internal sealed class SampleDatabase(string connectionString, string description, string subjectSuffix, LocalPostgresServer? server)
    : IAsyncDisposable
{
    public const string ConnectionStringVariable = "QUOTAKIT_CONNECTION_STRING";

    public string ConnectionString => connectionString;

    public string Description => description;

    /// <summary>Appended to subject ids in a database that may hold an earlier run, so runs do not add up.</summary>
    public string SubjectSuffix => subjectSuffix;

    public static async Task<SampleDatabase> OpenAsync(string[] args)
    {
        var given = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            var suffix = "-" + Guid.NewGuid().ToString("N")[..6];
            return new SampleDatabase(given, $"the given connection string (subject ids end in '{suffix}')", suffix, server: null);
        }

        var server = await LocalPostgresServer.StartAsync();
        return new SampleDatabase(
            server.ConnectionString, $"throwaway PostgreSQL on 127.0.0.1:{server.Port}, deleted at exit", "", server);
    }

    /// <summary>In a database the sample did not create, deletes the rows of its subjects; a throwaway one goes whole.</summary>
    public async Task CleanUpAsync(IEnumerable<string> subjectIds)
    {
        if (server is null)
        {
            var deleted = await SampleCleanup.DeleteSubjectsAsync(connectionString, subjectIds);
            System.Console.WriteLine();
            System.Console.WriteLine($"Cleaned up: deleted the sample's {deleted} rows from the given database.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
