using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Samples;

/// <summary>
/// What the console sample leaves behind and prints about itself: nothing of pg_ctl's, the truth about migrations, and
/// no rows in a database it was given.
/// </summary>
public class ConsoleSampleHousekeepingTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task On_an_existing_database_it_says_whether_migrations_were_pending_and_deletes_its_own_rows()
    {
        var first = await SampleProcess.RunAsync(database.ConnectionString, Timeout);
        var second = await SampleProcess.RunAsync(database.ConnectionString, Timeout);

        first.ExitCode.Should().Be(0, first.AllOutput);
        second.ExitCode.Should().Be(0, second.AllOutput);
        first.StandardOutput.Should().Contain("Migrations: applied 20261121233614_InitialCreate");
        second.StandardOutput.Should().Contain("Migrations: none pending").And.NotContain("Migrations: applied");
        second.StandardOutput.Should().Contain("Cleaned up: deleted the sample's");
        foreach (var table in new[] { "subjects", "usage_counters", "usage_events", "subject_grants", "subject_limit_overrides" })
        {
            (await CountAsync(table)).Should().Be(0, $"the sample deletes its rows from quotakit.{table}");
        }
    }

    [Fact]
    public async Task On_its_own_throwaway_server_it_prints_nothing_of_pg_ctl()
    {
        var run = await SampleProcess.RunAsync(connectionString: null, Timeout);

        run.ExitCode.Should().Be(0, run.AllOutput);
        run.StandardOutput.Should().Contain("Database:   throwaway PostgreSQL");
        run.AllOutput.Should().NotContain("waiting for server").And.NotContain("server started").And.NotContain("server stopped");
    }

    private async Task<long> CountAsync(string table)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT count(*) FROM quotakit.{table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
