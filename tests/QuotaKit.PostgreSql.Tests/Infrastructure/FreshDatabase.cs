using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// xunit class fixture: a new, empty database on the test run's shared PostgreSQL server, dropped after the class.
/// Classes get separate databases, so they run in parallel without seeing each other's rows.
/// </summary>
public class FreshDatabase : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    /// <summary>Connection string to this fixture's database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A data source (connection pool) for this fixture's database.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The fixture is not initialized.");

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Creates the fixture's database and returns its connection string.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => SharedPostgres.CreateDatabaseAsync(GetType().Name);

    public virtual async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await SharedPostgres.DropDatabaseAsync(ConnectionString);
    }
}
