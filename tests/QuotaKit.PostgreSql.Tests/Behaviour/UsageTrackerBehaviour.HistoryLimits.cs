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
}
