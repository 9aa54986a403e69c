using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// Usage-based trials (issue 15): an allowance that ends at a date or when spent, whichever comes first, with no job. A
// feature counted over the subject's lifetime (from its billing anchor; it never resets), a plan limit of 0, and a grant
// of the trial's units valid until the trial's end (docs/concepts.md, "Usage-based trials").
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Duration TrialLength = Duration.FromDays(14);

    private async Task<TrackerUnderTest> TrialTrackerAsync()
    {
        var underTest = await CreateAsync(q => q
            .AddFeature("trial_renders", PeriodPolicy.Lifetime)
            .AddPlan("free", p => p.Limit("trial_renders", 0))
            .UseDefaultPlan("free"), Clock);
        var start = Clock.GetCurrentInstant();
        await underTest.Admin.SetBillingAnchorAsync(Subject, start); // the sign-up: a lifetime counts from the anchor
        await underTest.Admin.AddGrantAsync(Subject, "trial_renders", 5, start, start + TrialLength, "trial");
        return underTest;
    }

    [Fact]
    public async Task A_trial_ends_when_its_units_are_spent_before_its_date()
    {
        await using var underTest = await TrialTrackerAsync();

        var spent = await underTest.Tracker.TryConsumeAsync(Subject, "trial_renders", 5);
        Clock.Advance(Duration.FromDays(3)); // days later: a lifetime counter does not start again
        var afterwards = await underTest.Tracker.TryConsumeAsync(Subject, "trial_renders");

        (spent.Allowed, spent.Used, spent.Limit).Should().Be((true, 5L, FeatureLimit.Hard(5)));
        (afterwards.Outcome, afterwards.Used).Should().Be((UsageOutcome.LimitExceeded, 5L));
    }

    [Fact]
    public async Task A_trial_ends_at_its_date_with_units_left()
    {
        await using var underTest = await TrialTrackerAsync();
        await underTest.Tracker.TryConsumeAsync(Subject, "trial_renders", 2);

        Clock.Advance(TrialLength - Duration.FromSeconds(1));
        var lastSecond = await underTest.Tracker.TryConsumeAsync(Subject, "trial_renders");
        Clock.Advance(Duration.FromSeconds(1));
        var atTheEnd = await underTest.Tracker.TryConsumeAsync(Subject, "trial_renders");

        (lastSecond.Allowed, lastSecond.Used).Should().Be((true, 3L));
        (atTheEnd.Outcome, atTheEnd.Used, atTheEnd.Limit).Should().Be((UsageOutcome.LimitExceeded, 3L, FeatureLimit.Hard(0)),
            "the grant's window is half-open: at its end only the plan's 0 is left, though 2 units were never used");
    }
}
