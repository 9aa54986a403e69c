using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>The fault proxy itself: it relays, it loses exactly the reply it was told to lose (after the server ran the
/// statement), and it refuses connections while told to. The tracker tests that use it rely on each of these.</summary>
public class FaultProxyTests : IClassFixture<FreshDatabase>
{
    private readonly FreshDatabase _database;

    public FaultProxyTests(FreshDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Relays_statements_and_answers_unchanged()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var connection = new NpgsqlConnection(proxy.ConnectionString);
        await connection.OpenAsync();

        (await ScalarAsync(connection, "SELECT 'through the proxy'")).Should().Be("through the proxy");
        proxy.OpenConnections.Should().Be(1);
    }

    [Fact]
    public async Task A_lost_reply_breaks_the_connection_after_the_server_committed_the_statement()
    {
        await CreateTableAsync("lost_reply");
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var connection = new NpgsqlConnection(proxy.ConnectionString);
        await connection.OpenAsync();
        (await ScalarAsync(connection, "SELECT 'before'")).Should().Be("before");

        var lost = proxy.LoseReplyToNextStatementContaining("marker-1");
        var insert = () => ScalarAsync(connection, "INSERT INTO lost_reply VALUES ('marker-1') RETURNING v");

        await insert.Should().ThrowAsync<NpgsqlException>("the reply was dropped and the connection cut");
        lost.IsCompletedSuccessfully.Should().BeTrue("the proxy saw the server finish its reply");
        (await CountAsync("lost_reply")).Should().Be(1, "the server ran and committed the statement whose reply was lost");
    }

    [Fact]
    public async Task Only_the_statement_with_the_marker_loses_its_reply()
    {
        await CreateTableAsync("only_marked");
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var connection = new NpgsqlConnection(proxy.ConnectionString);
        await connection.OpenAsync();
        var lost = proxy.LoseReplyToNextStatementContaining("marker-2");

        (await ScalarAsync(connection, "INSERT INTO only_marked VALUES ('other') RETURNING v")).Should().Be("other");
        lost.IsCompleted.Should().BeFalse();
        var marked = () => ScalarAsync(connection, "INSERT INTO only_marked VALUES ('marker-2') RETURNING v");
        await marked.Should().ThrowAsync<NpgsqlException>();

        // Disarmed after one hit: a new connection relays a later statement with the marker.
        await using var next = new NpgsqlConnection(proxy.ConnectionString);
        await next.OpenAsync();
        (await ScalarAsync(next, "SELECT 'marker-2'")).Should().Be("marker-2");
    }

    [Fact]
    public async Task Refused_connections_fail_to_open_until_the_proxy_accepts_again()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        var pooling = new NpgsqlConnectionStringBuilder(proxy.ConnectionString) { Pooling = false }.ConnectionString;

        proxy.RefuseNewConnections();
        var open = async () =>
        {
            await using var refused = new NpgsqlConnection(pooling);
            await refused.OpenAsync();
        };
        await open.Should().ThrowAsync<NpgsqlException>();
        proxy.RefusedConnections.Should().BePositive("the proxy closed the attempt (Npgsql may try more than once)");

        proxy.AcceptNewConnections();
        await using var accepted = new NpgsqlConnection(pooling);
        await accepted.OpenAsync();
        (await ScalarAsync(accepted, "SELECT 'again'")).Should().Be("again");
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task CreateTableAsync(string table)
    {
        await using var command = _database.DataSource.CreateCommand($"CREATE TABLE {table} (v text)");
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string table)
    {
        await using var command = _database.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
