using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.AspNetCore.Tests.Infrastructure;

/// <summary>
/// xunit class fixture: a fresh database on the shared throwaway PostgreSQL server, dropped after the class. Each test
/// uses new subject ids, so tests of one class do not see each other's usage.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await SharedPostgres.CreateDatabaseAsync("quotakit_web");

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await SharedPostgres.DropDatabaseAsync(ConnectionString);
    }
}
