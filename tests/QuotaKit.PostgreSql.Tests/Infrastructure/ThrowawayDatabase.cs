using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>An empty database on the shared server for one test, dropped when disposed (<c>await using</c>).</summary>
public sealed class ThrowawayDatabase : IAsyncDisposable
{
    private ThrowawayDatabase(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ThrowawayDatabase> CreateAsync(string namePrefix) =>
        new(await SharedPostgres.CreateDatabaseAsync(namePrefix));

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await SharedPostgres.DropDatabaseAsync(ConnectionString);
    }
}
