using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Which real server errors the store calls transient (worth retrying). Kills the Stryker survivors in
/// <c>StoreFailure.IsTransient</c>: a cancelled statement must count as transient, a statement that can never succeed must not.
/// </summary>
public class StoreFailureClassificationTests : IClassFixture<FreshDatabase>
{
    private readonly FreshDatabase _database;

    public StoreFailureClassificationTests(FreshDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_statement_cancelled_by_statement_timeout_is_transient()
    {
        var error = await ErrorFromAsync("SET statement_timeout = 50; SELECT pg_sleep(5)");

        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
        Assert.True(StoreFailure.IsTransient(error));
    }

    [Fact]
    public async Task A_division_by_zero_is_not_transient()
    {
        var error = await ErrorFromAsync("SELECT 1 / 0");

        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.False(StoreFailure.IsTransient(error));
    }

    [Fact]
    public async Task A_terminated_session_is_transient()
    {
        var error = await ErrorFromAsync("SELECT pg_terminate_backend(pg_backend_pid())");

        Assert.StartsWith("57P", ((PostgresException)error).SqlState, StringComparison.Ordinal);
        Assert.True(StoreFailure.IsTransient(error));
    }

    private async Task<NpgsqlException> ErrorFromAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteNonQueryAsync());
    }
}
