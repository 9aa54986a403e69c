using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// Plan-change rules (issue 15): per feature, separately for upgrades and downgrades. "renders": basic 10, pro 100 a day;
// "minutes": basic 60, pro 600 a day; each test sets the rules it needs on its own tracker.
public abstract partial class UsageTrackerBehaviour
{
    private async Task<TrackerUnderTest> PlanRulesTrackerAsync(PlanChangeRule onUpgrade, PlanChangeRule onDowngrade) =>
        await CreateAsync(q => q
            .AddFeature("renders", PeriodPolicy.Day, f => (f.OnUpgrade, f.OnDowngrade) = (onUpgrade, onDowngrade))
            .AddFeature("minutes", PeriodPolicy.Day)
            .AddPlan("basic", p => p.Limit("renders", 10).Limit("minutes", 60))
            .AddPlan("pro", p => p.Limit("renders", 100).Limit("minutes", 600))
            .UseDefaultPlan("basic"), Clock);

    [Fact]
    public async Task A_downgrade_that_carries_over_keeps_the_higher_limit_until_the_period_ends()
    {
        await using var underTest = await PlanRulesTrackerAsync(PlanChangeRule.Keep, PlanChangeRule.CarryOverUntilPeriodEnd);
        await underTest.Admin.SetPlanAsync(Subject, "pro");
        await underTest.Tracker.TryConsumeAsync(Subject, "renders", 40);
        await underTest.Tracker.TryConsumeAsync(Subject, "minutes", 50);

        await underTest.Admin.SetPlanAsync(Subject, "basic");

        var today = await underTest.Tracker.TryConsumeAsync(Subject, "renders", 60);
        (today.Allowed, today.Used, today.Limit).Should().Be((true, 100L, FeatureLimit.Hard(100)), "pro's 100 carries over to the day's end");
        (await underTest.Tracker.TryConsumeAsync(Subject, "minutes", 11)).Allowed.Should().BeFalse("minutes keep: basic's 60 applies at once");
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));
        (await underTest.Tracker.CheckAsync(Subject, "renders")).Limit.Should().Be(FeatureLimit.Hard(10), "from the next day, basic's limit");
    }

    [Fact]
    public async Task An_upgrade_that_resets_starts_the_new_limit_from_zero_and_history_keeps_the_usage_before()
    {
        await using var underTest = await PlanRulesTrackerAsync(PlanChangeRule.Reset, PlanChangeRule.Keep);
        await underTest.Tracker.TryConsumeAsync(Subject, "renders", 10);
        await underTest.Tracker.TryConsumeAsync(Subject, "minutes", 30);
        Clock.SetTo(Monday0900 + Duration.FromHours(1));

        await underTest.Admin.SetPlanAsync(Subject, "pro");

        var renders = await underTest.Tracker.TryConsumeAsync(Subject, "renders", 100);
        (renders.Allowed, renders.Used).Should().Be((true, 100L), "renders reset on the upgrade");
        (await underTest.Tracker.TryConsumeAsync(Subject, "minutes", 1)).Used.Should().Be(31, "minutes keep their usage");
        (await underTest.Tracker.GetHistoryAsync(Subject, "renders", MondayUtc.Start, MondayUtc.End)).Select(h => h.Used)
            .Should().Equal(10L, 100L);
    }

    [Fact]
    public async Task The_rule_of_the_direction_applies_and_the_other_direction_keeps()
    {
        await using var underTest = await PlanRulesTrackerAsync(PlanChangeRule.Reset, PlanChangeRule.Keep);
        await underTest.Admin.SetPlanAsync(Subject, "pro");
        await underTest.Tracker.TryConsumeAsync(Subject, "renders", 40);

        await underTest.Admin.SetPlanAsync(Subject, "basic"); // a downgrade: Keep
        await underTest.Admin.SetPlanAsync(Subject, "basic"); // no change of limit: nothing

        var after = await underTest.Tracker.TryConsumeAsync(Subject, "renders");
        (after.Outcome, after.Used).Should().Be((UsageOutcome.LimitExceeded, 40L));
    }

    [Fact]
    public async Task A_feature_whose_limit_an_override_sets_is_not_changed_by_a_plan_change()
    {
        await using var underTest = await PlanRulesTrackerAsync(PlanChangeRule.Reset, PlanChangeRule.Reset);
        await underTest.Admin.SetOverrideAsync(Subject, "renders", FeatureLimit.Hard(20));
        await underTest.Tracker.TryConsumeAsync(Subject, "renders", 15);

        await underTest.Admin.SetPlanAsync(Subject, "pro");

        (await underTest.Tracker.TryConsumeAsync(Subject, "renders", 6)).Allowed.Should().BeFalse("15 used of the override's 20: nothing reset");
    }

    [Fact]
    public async Task Concurrent_changes_to_one_plan_apply_the_rule_once()
    {
        // Each of 16 callers upgrades the subject to pro and then renders once. Only the first change is an upgrade; a
        // change judged against a plan it read before another committed would reset again and could lose renders
        // (PlanChangeLockTests forces that interleaving on PostgreSQL).
        await using var underTest = await PlanRulesTrackerAsync(PlanChangeRule.Reset, PlanChangeRule.Keep);
        await underTest.Tracker.TryConsumeAsync(Subject, "renders", 5);
        var gate = new StartingGate(16);

        var rendered = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await gate.ArriveAndWaitAsync();
            await underTest.Admin.SetPlanAsync(Subject, "pro");
            try
            {
                return (await underTest.Tracker.TryConsumeAsync(Subject, "renders")).Allowed ? 1L : 0L;
            }
            catch (QuotaStoreUnavailableException exception) when (exception.IsTransient && !exception.OutcomeUnknown)
            {
                // The subject changed on every attempt while the others changed its plan: nothing was written.
                return 0L;
            }
        })));

        rendered.Sum().Should().BePositive("renders went through between the changes");
        (await underTest.Tracker.GetHistoryAsync(Subject, "renders", MondayUtc.Start, MondayUtc.End)).Select(h => h.Used)
            .Should().Equal([5L, rendered.Sum()], "one reset, at the one upgrade; no render lost to a second reset");
    }
}
