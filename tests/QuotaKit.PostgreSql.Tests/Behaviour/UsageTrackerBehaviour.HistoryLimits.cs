using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task History_shows_each_period_with_the_limit_in_force_at_its_last_write()
    {
        await ConsumeAsync("images", 2); // Monday, free: 2 of 3
        Clock.Advance(Duration.FromDays(1));
        await Admin.SetPlanAsync(Subject, "pro");
        await ConsumeAsync("images", 7); // Tuesday, pro: 7 of 100

        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);

        history.Select(h => (h.Period, h.Used, h.Limit)).Should().Equal(
            (MondayUtc, 2L, FeatureLimit.Hard(3)),
            (TuesdayUtc, 7L, FeatureLimit.Hard(100)));
    }

    [Fact]
    public async Task History_shows_disabled_for_a_period_last_written_while_the_feature_was_disabled()
    {
        await ConsumeAsync("images", 2);                                         // free: 2 of 3
        await Admin.SetOverrideAsync(Subject, "images", FeatureLimit.Disabled);
        await Tracker.RefundAsync(Subject, "images", 1);                        // a refund applies even while disabled

        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, MondayUtc.End);

        // The period's last write stored a limit of 0 with the feature disabled: not a hard limit of 0.
        history.Select(h => (h.Used, h.Limit)).Should().Equal((1L, FeatureLimit.Disabled));
    }
}
