using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server the benchmarks run on: a throwaway local cluster (durable unless told otherwise) with a fresh
/// database, or the database named by a connection string.
/// </summary>
internal sealed class BenchmarkServer : IAsyncDisposable
{
    private readonly LocalPostgresServer? _localServer;

    private BenchmarkServer(LocalPostgresServer? localServer, string connectionString)
    {
        _localServer = localServer;
        ConnectionString = connectionString;
    }

    /// <summary>Connection string of the benchmark database.</summary>
    public string ConnectionString { get; }

    /// <summary>Where the server came from, for the report.</summary>
    public string Origin => _localServer is null ? "existing server (connection string)" : "throwaway local cluster";

    public static async Task<BenchmarkServer> StartAsync(BenchmarkOptions options)
    {
        if (options.ConnectionString is { } existing)
        {
            return new BenchmarkServer(null, existing);
        }

        var serverOptions = new LocalPostgresOptions { Durable = options.Durable, MaxConnections = 300 };
        serverOptions.Settings["shared_buffers"] = "256MB";
        var server = await LocalPostgresServer.StartAsync(serverOptions);
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE quotakit_bench", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new BenchmarkServer(server, server.GetConnectionString("quotakit_bench"));
    }

    public ValueTask DisposeAsync() => _localServer?.DisposeAsync() ?? ValueTask.CompletedTask;
}
