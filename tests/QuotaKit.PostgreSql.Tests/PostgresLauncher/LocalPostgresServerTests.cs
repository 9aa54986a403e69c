using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.PostgresLauncher;

public class LocalPostgresServerTests
{
    [Fact]
    public async Task A_started_server_accepts_connections_and_its_folder_is_deleted_on_dispose()
    {
        var server = await LocalPostgresServer.StartAsync();
        var folder = server.RootDirectory;

        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('fsync')", connection);
            (await command.ExecuteScalarAsync()).Should().Be("off");
        }

        Directory.Exists(folder).Should().BeTrue();
        await server.DisposeAsync();

        Directory.Exists(folder).Should().BeFalse();
        var connect = async () =>
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString + ";Timeout=2");
            await connection.OpenAsync();
        };
        await connect.Should().ThrowAsync<NpgsqlException>();
    }

    [Fact]
    public async Task Durable_option_turns_fsync_and_synchronous_commit_on()
    {
        await using var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions { Durable = true });
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('fsync') || ',' || current_setting('synchronous_commit')", connection);

        (await command.ExecuteScalarAsync()).Should().Be("on,on");
    }

    [Fact]
    public async Task Fresh_databases_are_separate_and_empty()
    {
        var first = await SharedPostgres.CreateDatabaseAsync("isolation");
        var second = await SharedPostgres.CreateDatabaseAsync("isolation");
        try
        {
            first.Should().NotBe(second);
            await using var connection = new NpgsqlConnection(first);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", connection);
            (await command.ExecuteScalarAsync()).Should().Be(0L);
        }
        finally
        {
            await SharedPostgres.DropDatabaseAsync(first);
            await SharedPostgres.DropDatabaseAsync(second);
        }
    }
}
