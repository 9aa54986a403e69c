using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// xunit class fixture: a throwaway PostgreSQL server of the class's own (so it can be restarted without disturbing other
/// classes) with one migrated database. The server keeps the launcher's test defaults (fsync and synchronous_commit off):
/// a fast restart still writes a shutdown checkpoint, so every acknowledged commit survives it.
/// </summary>
public sealed class OwnServerDatabase : IAsyncLifetime
{
    private LocalPostgresServer? _server;

    public LocalPostgresServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await LocalPostgresServer.StartAsync();
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE quotakit_reliability", connection);
            await command.ExecuteNonQueryAsync();
        }

        ConnectionString = _server.GetConnectionString("quotakit_reliability");
        await QuotaKitContexts.MigrateAsync(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
