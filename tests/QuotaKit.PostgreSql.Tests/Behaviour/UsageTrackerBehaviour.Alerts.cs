using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task Alerts_fire_once_per_threshold_per_period_and_again_in_the_next_period()
    {
        // api_calls: hard limit 10, thresholds 80% (8) and 100% (10).
        await ConsumeAsync("api_calls", 7);    // 70%: nothing
        await ConsumeAsync("api_calls");       // 80%
        await ConsumeAsync("api_calls");       // 90%: nothing new
        await ConsumeAsync("api_calls");       // 100%
        await ConsumeAsync("api_calls");       // denied: never alerts
        await Tracker.RefundAsync(Subject, "api_calls", 5);
        await ConsumeAsync("api_calls", 5);    // back to 100%: already reported this period
        await Tracker.IncrementAsync(Subject, "api_calls", 3); // 130%: no threshold above 100

        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));
        await ConsumeAsync("api_calls", 10);   // a new period: 80% and 100% at once

        var limit = FeatureLimit.Hard(10);
        UnderTest.Alerts.Should().Equal(
            new QuotaAlert(Subject, "api_calls", 80, 8, limit, MondayUtc, Monday0900),
            new QuotaAlert(Subject, "api_calls", 100, 10, limit, MondayUtc, Monday0900),
            new QuotaAlert(Subject, "api_calls", 80, 10, limit, TuesdayUtc, Instant.FromUtc(2025, 3, 11, 9, 0)),
            new QuotaAlert(Subject, "api_calls", 100, 10, limit, TuesdayUtc, Instant.FromUtc(2025, 3, 11, 9, 0)));
    }

    [Fact]
    public async Task Soft_limits_and_gauges_alert_but_unlimited_and_disabled_never_do()
    {
        await ConsumeAsync("voice_seconds", 500); // 500 of 600 = 83%: 80
        await ConsumeAsync("voice_seconds", 200); // 117%: 100
        await Tracker.SetGaugeAsync(Subject, "seats", 4); // 4 of 5 = 80%
        await ConsumeAsync("exports", 1_000_000);
        await ConsumeAsync("videos");

        UnderTest.Alerts.Select(a => (a.FeatureKey, a.ThresholdPercent, a.Used)).Should().Equal(
            ("voice_seconds", 80, 500L), ("voice_seconds", 100, 700L), ("seats", 80, 4L));
        UnderTest.Alerts[0].Limit.Should().Be(FeatureLimit.Soft(600));
        UnderTest.Alerts[0].Period.Should().Be(March);
    }
}
