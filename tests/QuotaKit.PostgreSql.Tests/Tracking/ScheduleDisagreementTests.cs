using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>
/// Two app versions share one database but compute different periods for the same subject and feature, as when their
/// tz databases differ (NodaTime's embedded tzdb against another's). Here version A counts the day in UTC and version B
/// in UTC+05:30. PostgreSQL only: in-memory stores cannot be shared by two app instances.
/// </summary>
public class ScheduleDisagreementTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public ScheduleDisagreementTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Two_versions_that_disagree_on_the_day_neither_fail_nor_reset_nor_overshoot_the_limit()
    {
        var clock = new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0));
        await using var versionA = TrackerHost.Create(_database.ConnectionString, clock, q => Catalog(q, PeriodPolicy.Day));
        await using var versionB = TrackerHost.Create(_database.ConnectionString, clock, q => Catalog(q, PeriodPolicy.Day.InZone("Asia/Kolkata")));
        const string subject = "shared-subject";

        // A's day is [03-10T00:00Z, 03-11T00:00Z); B's is [03-09T18:30Z, 03-10T18:30Z). Alternate, 10 calls on a limit of 6.
        var decisions = new List<UsageDecision>();
        for (var i = 0; i < 10; i++)
        {
            var tracker = i % 2 == 0 ? versionA.Tracker : versionB.Tracker;
            decisions.Add(await tracker.TryConsumeAsync(subject, "api_calls"));
        }

        decisions.Count(d => d.Allowed).Should().Be(6, "one period holds every call, so the limit of 6 holds");
        decisions.Where(d => d.Allowed).Select(d => d.Used).Should().Equal(1, 2, 3, 4, 5, 6);
        var history = await versionA.Tracker.GetHistoryAsync(subject, "api_calls", Instant.FromUtc(2025, 3, 1, 0, 0), Instant.FromUtc(2025, 4, 1, 0, 0));
        history.Should().ContainSingle().Which.Used.Should().Be(6);
    }

    private static void Catalog(QuotaKitBuilder quota, PeriodPolicy day) => quota
        .AddFeature("api_calls", day)
        .AddPlan("free", p => p.Limit("api_calls", 6))
        .UseDefaultPlan("free");
}
