using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_replayed_consume_is_not_counted_again_in_the_consumed_metric()
    {
        // A feature of its own: other tests publish on the same process-wide meter at the same time.
        var feature = $"metered_{Guid.NewGuid():N}";
        using var meter = new QuotaKitMeterRecorder(feature);
        await using var metered = await CreateAsync(
            q => q.AddFeature(feature, PeriodPolicy.Day).AddPlan("free", p => p.Limit(feature, 5)).UseDefaultPlan("free"), Clock);

        var first = await metered.Tracker.TryConsumeAsync(Subject, feature, 3, Key("request-1"));
        var replay = await metered.Tracker.TryConsumeAsync(Subject, feature, 3, Key("request-1"));
        await metered.Tracker.IncrementAsync(Subject, feature, 1);
        var denied = await metered.Tracker.TryConsumeAsync(Subject, feature, 2); // 4 + 2 > 5

        (first.IsReplay, replay.IsReplay, denied.Outcome).Should().Be((false, true, UsageOutcome.LimitExceeded));
        meter.Sum("quotakit.usage.consumed").Should().Be(4, "3 consumed once (the replay applies nothing) and 1 incremented");
        meter.Sum("quotakit.usage.denied").Should().Be(1);
        meter.Count("quotakit.operation.duration").Should().Be(4, "every call is timed, the replay too");
    }
}
