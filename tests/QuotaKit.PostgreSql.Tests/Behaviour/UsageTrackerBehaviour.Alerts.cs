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

    [Fact]
    public async Task Thresholds_declared_out_of_order_fire_in_ascending_order_and_the_highest_reached_is_kept()
    {
        // "quota": hard limit 10, thresholds declared 100 then 50 (nothing requires them ascending).
        await using var underTest = await CreateAsync(q => q
            .AddFeature("quota", PeriodPolicy.Day, f => f.AlertThresholds = [100, 50])
            .AddPlan("only", p => p.Limit("quota", 10))
            .UseDefaultPlan("only"), Clock);

        await underTest.Tracker.TryConsumeAsync(Subject, "quota", 10); // 0% to 100%: 50 and 100 at once, 50 first
        await underTest.Tracker.RefundAsync(Subject, "quota", 4);      // 60%
        await underTest.Tracker.TryConsumeAsync(Subject, "quota", 4);  // 100% again: the level kept is 100, nothing fires

        underTest.Alerts.Select(a => a.ThresholdPercent).Should().Equal(50, 100);
    }

    [Fact]
    public async Task A_limit_of_zero_never_alerts()
    {
        // A soft limit of 0 lets every unit past it, but no percentage of nothing is a threshold.
        await using var underTest = await CreateAsync(q => q
            .AddFeature("quota", PeriodPolicy.Day, f => f.AlertThresholds = [1, 100])
            .AddPlan("only", p => p.SoftLimit("quota", 0))
            .UseDefaultPlan("only"), Clock);

        (await underTest.Tracker.TryConsumeAsync(Subject, "quota", 5)).Allowed.Should().BeTrue();

        underTest.Alerts.Should().BeEmpty();
    }
}
