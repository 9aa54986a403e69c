using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Migrations;

public class MigrationTests : IClassFixture<FreshDatabase>
{
    private readonly FreshDatabase _database;

    public MigrationTests(FreshDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_applying_again_changes_nothing()
    {
        await using var host = TrackerHost.Create(_database.ConnectionString, NodaTime.SystemClock.Instance, _ => { });

        await host.Services.ApplyQuotaKitMigrationsAsync();
        var afterFirst = await SchemaFingerprint.ReadAsync(_database.DataSource);
        await host.Services.ApplyQuotaKitMigrationsAsync();
        var afterSecond = await SchemaFingerprint.ReadAsync(_database.DataSource);

        afterFirst.Tables.Should().BeEquivalentTo(
            "subject_grants", "subject_limit_overrides", "subjects", "usage_counters", "usage_events", "usage_holds", "credit_blocks",
            "credit_burns", "__quotakit_migrations");
        afterFirst.ConstraintNames.Should().Contain(
            ["ck_usage_counters_period", "ex_usage_counters_no_overlap", "pk_usage_counters", "pk_credit_blocks", "pk_credit_burns"]);
        afterFirst.FunctionNames.Should().Contain(
            ["record_usage", "schema_version", "record_usage_v8", "record_usage_batch_v8", "burn_credit_blocks_v8", "return_credit_blocks_v8"]);
        afterSecond.Should().BeEquivalentTo(afterFirst);
        (await host.Services.GetRequiredService<IQuotaKitMigrator>().GetPendingMigrationsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task The_model_has_no_changes_missing_from_the_shipped_migrations()
    {
        await using var context = QuotaKitContexts.Create(_database.ConnectionString);

        context.Database.HasPendingModelChanges().Should().BeFalse();
        context.Database.GetMigrations().Should().NotBeEmpty();
    }

    [Fact]
    public async Task Concurrent_start_ups_apply_the_migrations_in_one_process_while_the_others_wait()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("concurrent_migrate");
        try
        {
            var logs = new CapturedLogs();
            var hosts = Enumerable.Range(0, 6)
                .Select(_ => TrackerUnderTest.Build(
                    q => q.UseClock(NodaTime.SystemClock.Instance).UsePostgreSql(connectionString),
                    services => services.AddLogging(l => l.AddProvider(logs))))
                .ToList();
            var start = new StartingGate(hosts.Count);
            var applying = hosts.Select(h => Task.Run(async () =>
            {
                await start.ArriveAndWaitAsync();
                await h.Services.ApplyQuotaKitMigrationsAsync();
            }));

            await Task.WhenAll(applying);

            // The migration lock makes the others wait for the first and then find nothing pending. Without it several
            // would see the migrations pending and start applying them (the history table's primary key cannot show it).
            var migrator = logs.From("QuotaKitMigrator");
            migrator.Count(m => m.StartsWith("Applying ", StringComparison.Ordinal)).Should().Be(1, string.Join(Environment.NewLine, migrator));
            migrator.Count(m => m == "QuotaKit schema is up to date").Should().Be(hosts.Count - 1);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM quotakit.__quotakit_migrations");
            var applied = (long)(await command.ExecuteScalarAsync())!;
            await using var context = QuotaKitContexts.Create(connectionString);
            applied.Should().Be(context.Database.GetMigrations().Count());
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            await SharedPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
