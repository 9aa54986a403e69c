using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>
/// QuotaKit 0.1.0 stored no call id with a keyed call (<c>usage_events.call_id</c> is NULL for those rows), and during a
/// rolling upgrade 0.1.0 instances keep writing such rows. A replay of one must be answered as a replay of an earlier
/// call, not fail reading the missing id. PostgreSQL only: the in-memory store never had rows without a call id.
/// </summary>
public class ReplayOfACallWithoutCallIdTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public ReplayOfACallWithoutCallIdTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_key_stored_without_a_call_id_replays_the_stored_call_and_counts_nothing()
    {
        var clock = new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0));
        const string subject = "call-without-id";
        await using (var first = TrackerHost.Create(_database.ConnectionString, clock, Catalog))
        {
            (await first.Tracker.TryConsumeAsync(subject, "images", 2, UsageOptions.WithIdempotencyKey("k"))).Used.Should().Be(2);
        }

        await using (var dataSource = NpgsqlDataSource.Create(_database.ConnectionString))
        await using (var asOld = dataSource.CreateCommand(
            "UPDATE quotakit.usage_events SET call_id = NULL WHERE subject_id = 'call-without-id' AND idempotency_key = 'k'"))
        {
            (await asOld.ExecuteNonQueryAsync()).Should().Be(1);
        }

        await using var upgraded = TrackerHost.Create(_database.ConnectionString, clock, Catalog);
        var replay = await upgraded.Tracker.TryConsumeAsync(subject, "images", 2, UsageOptions.WithIdempotencyKey("k"));
        var usage = (await upgraded.Tracker.GetUsageAsync(subject)).Single();

        (replay.IsReplay, replay.Allowed, replay.Used).Should().Be((true, true, 2L));
        usage.Used.Should().Be(2, "a replay counts nothing");
    }

    private static void Catalog(QuotaKitBuilder quota) => quota
        .AddFeature("images", PeriodPolicy.Day)
        .AddPlan("free", p => p.Limit("images", 5))
        .UseDefaultPlan("free");
}
