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

    /// <summary>
    /// Errors a retry can get past: a deadlock, a serialization failure, a lock that was not free in time, too many
    /// connections. Npgsql calls them transient, and QuotaKit must not lose that answer for a server error outside its own
    /// classes (08, 57P, a cancelled statement).
    /// </summary>
    [Theory]
    [InlineData("40P01")] // deadlock_detected
    [InlineData("40001")] // serialization_failure
    [InlineData("55P03")] // lock_not_available
    [InlineData("53300")] // too_many_connections
    public async Task A_server_error_that_a_retry_can_get_past_is_transient(string sqlState)
    {
        var error = await ErrorFromAsync($"DO $$ BEGIN RAISE EXCEPTION 'raised for the test' USING ERRCODE = '{sqlState}'; END $$");

        Assert.Equal(sqlState, ((PostgresException)error).SqlState);
        Assert.True(StoreFailure.IsTransient(error));
    }

    /// <summary>
    /// The connection-exception (08) and operator-intervention (57P) classes, as the server sends them in an ErrorResponse
    /// (a session refused or ended by the server). QuotaKit calls every one of them transient. Npgsql 10 alone already
    /// does for all of these but two, which are what StoreFailure's own branches are for: 08P01 (protocol_violation) and
    /// 57P04 (database_dropped).
    /// </summary>
    [Theory]
    [InlineData("08000")] // connection_exception
    [InlineData("08003")] // connection_does_not_exist
    [InlineData("08006")] // connection_failure
    [InlineData("08P01")] // protocol_violation
    [InlineData("57P01")] // admin_shutdown
    [InlineData("57P02")] // crash_shutdown
    [InlineData("57P03")] // cannot_connect_now
    [InlineData("57P04")] // database_dropped
    [InlineData("57P05")] // idle_session_timeout
    public void A_server_error_of_the_connection_or_shutdown_class_is_transient(string sqlState)
    {
        var error = new PostgresException("the server ended the session", "FATAL", "FATAL", sqlState);

        Assert.True(StoreFailure.IsTransient(error), $"SQLSTATE {sqlState} (Npgsql alone says {error.IsTransient})");
    }

    private async Task<NpgsqlException> ErrorFromAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteNonQueryAsync());
    }
}
