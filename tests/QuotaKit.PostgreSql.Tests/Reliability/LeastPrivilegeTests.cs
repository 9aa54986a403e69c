using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// A migration role owns the schema; a runtime role gets only the grants of <c>Schema/runtime-role.sql</c>. The tracker and
/// the admin API work as the runtime role, which cannot create, alter, drop or truncate anything.
/// </summary>
public class LeastPrivilegeTests
{
    private static readonly NodaTime.Instant Now = NodaTime.Instant.FromUtc(2025, 6, 1, 12, 0);

    public static readonly TheoryData<string> Ddl = new()
    {
        "ALTER TABLE quotakit.usage_counters ADD COLUMN evil int",
        "DROP TABLE quotakit.usage_events",
        "CREATE TABLE quotakit.evil (id int)",
        "TRUNCATE quotakit.usage_counters",
        "CREATE OR REPLACE FUNCTION quotakit.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "DROP FUNCTION quotakit.record_usage",
        "ALTER TABLE quotakit.usage_counters DROP CONSTRAINT ex_usage_counters_no_overlap",
        "INSERT INTO quotakit.__quotakit_migrations VALUES ('evil', '0')",
        "DROP SCHEMA quotakit CASCADE",
    };

    [Fact]
    public async Task The_runtime_role_runs_the_tracker_and_cannot_change_the_schema()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string owner = $"quotakit_owner_{suffix}", runtime = $"quotakit_runtime_{suffix}";
        var superuser = await SharedPostgres.CreateDatabaseAsync("least_privilege");
        var database = new NpgsqlConnectionStringBuilder(superuser).Database!;
        try
        {
            await ExecuteAsync(superuser,
                $"CREATE ROLE {owner} LOGIN; CREATE ROLE {runtime} LOGIN; GRANT CREATE ON DATABASE \"{database}\" TO {owner};");
            var ownerCs = As(superuser, owner);
            var runtimeCs = As(superuser, runtime);

            await using (var migrating = CreateHost(ownerCs))
            {
                await migrating.Services.ApplyQuotaKitMigrationsAsync();
            }

            var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "src/QuotaKit.PostgreSql/Schema/runtime-role.sql"));
            await ExecuteAsync(ownerCs, script.Replace("quotakit_runtime", runtime, StringComparison.Ordinal));

            await using (var host = CreateHost(runtimeCs))
            {
                (await host.Tracker.TryConsumeAsync("u1", "images", 2, UsageOptions.WithIdempotencyKey("k1"))).Allowed.Should().BeTrue();
                (await host.Tracker.TryConsumeAsync("u1", "images", 2, UsageOptions.WithIdempotencyKey("k1"))).IsReplay.Should().BeTrue();
                (await host.Tracker.IncrementAsync("u1", "images", 1, new UsageOptions { MetadataJson = """{"a":1}""" })).Used.Should().Be(3);
                await host.Tracker.RefundAsync("u1", "images", 1);
                var batch = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
                    [new("u2", "images", 1, UsageOptions.WithIdempotencyKey("k2")), new("u2", "images", 1)]);
                batch.Select(r => r.Decision?.Used).Should().Equal(1L, 2L);
                var held = (await host.Reservations.ReserveAsync("u2", "images", 3, NodaTime.Duration.FromMinutes(1))).Reservation!;
                (await host.Reservations.CommitAsync(held, 2)).Used.Should().Be(4);
                var released = (await host.Reservations.ReserveAsync("u2", "images", 1, NodaTime.Duration.FromMinutes(1))).Reservation!;
                (await host.Reservations.ReleaseAsync(released)).Used.Should().Be(4);
                await host.Admin.SetPlanAsync("u1", "pro");
                await host.Admin.SetTimeZoneAsync("u1", "Europe/Paris");
                await host.Admin.SetBillingAnchorAsync("u1", Now);
                await host.Admin.SetOverrideAsync("u1", "images", FeatureLimit.Hard(50));
                await host.Admin.AddGrantAsync("u1", "images", 5, Now, Now + NodaTime.Duration.FromDays(1), "support");
                await host.Admin.RemoveOverrideAsync("u1", "images");
                (await host.Admin.GetSubjectAsync("u1")).PlanKey.Should().Be("pro");
                await host.Admin.PurgeExpiredIdempotencyKeysAsync();
                (await host.Tracker.CheckAsync("u1", "images")).Allowed.Should().BeTrue();
                (await host.Tracker.GetUsageAsync("u1")).Should().ContainSingle(); // a new (Paris) day: the zone changed
                (await host.Tracker.GetHistoryAsync("u1", "images", Now - NodaTime.Duration.FromDays(2), Now + NodaTime.Duration.FromDays(2)))
                    .Should().ContainSingle();
            }

            foreach (var statement in Ddl)
            {
                var failure = await FluentActions.Awaiting(() => ExecuteAsync(runtimeCs, statement)).Should().ThrowAsync<PostgresException>(statement);
                failure.Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege, statement);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await SharedPostgres.DropDatabaseAsync(superuser);
            await ExecuteAsync(await SharedPostgres.GetServerConnectionStringAsync(), $"DROP ROLE IF EXISTS {runtime}; DROP ROLE IF EXISTS {owner};");
        }
    }

    private static string As(string connectionString, string role) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = null }.ConnectionString;

    private static TrackerUnderTest CreateHost(string connectionString) =>
        TrackerHost.Create(connectionString, new FakeClock(Now), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 10))
            .AddPlan("pro", p => p.Limit("images", 100))
            .UseDefaultPlan("free"));

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
