using QuotaKit.Testing;

namespace QuotaKit.Samples.WebApi;

/// <summary>
/// Where the sample stores usage, as in the console sample: the database named by the first argument (when it is not
/// an ASP.NET Core <c>--option</c>) or QUOTAKIT_CONNECTION_STRING, else a throwaway local PostgreSQL cluster
/// (QuotaKit.Testing's launcher) deleted when the sample stops.
/// </summary>
internal sealed class SampleDatabase(string connectionString, string[] remainingArguments, LocalPostgresServer? server) : IAsyncDisposable
{
    public const string ConnectionStringVariable = "QUOTAKIT_CONNECTION_STRING";

    public string ConnectionString => connectionString;

    /// <summary>The arguments after the connection string, for <c>WebApplication.CreateBuilder</c>.</summary>
    public string[] RemainingArguments => remainingArguments;

    public static async Task<SampleDatabase> OpenAsync(string[] args)
    {
        var fromArgument = args.Length > 0 && !args[0].StartsWith('-');
        var given = fromArgument ? args[0] : Environment.GetEnvironmentVariable(ConnectionStringVariable);
        var rest = fromArgument ? args[1..] : args;
        if (!string.IsNullOrWhiteSpace(given))
        {
            return new SampleDatabase(given, rest, server: null);
        }

        var server = await LocalPostgresServer.StartAsync();
        Console.WriteLine($"QuotaKit web sample: throwaway PostgreSQL on 127.0.0.1:{server.Port}, deleted at exit");
        return new SampleDatabase(server.ConnectionString, rest, server);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
