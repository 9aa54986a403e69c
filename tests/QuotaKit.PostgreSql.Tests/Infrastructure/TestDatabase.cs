using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A database of its own for one test, on the shared server, dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync(string name) => new(await SharedPostgres.CreateDatabaseAsync(name));

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await SharedPostgres.DropDatabaseAsync(ConnectionString);
    }
}
