using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// Limits that come from the subject's stored context (grants, and overrides of every kind), through every path that
/// reads it: a check has its own code path, and on PostgreSQL an override's kind is rebuilt from the table's columns.
/// </summary>
public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_check_counts_the_subjects_active_grant()
    {
        await Admin.AddGrantAsync(Subject, "images", 2, Monday0900 - Duration.FromHours(1), Monday0900 + Duration.FromHours(1));
        await ConsumeAsync("images", 3);

        var fitsWithGrant = await Tracker.CheckAsync(Subject, "images", 2); // 3 + 2 fits the plan's 3 plus the grant's 2
        var pastTheGrant = await Tracker.CheckAsync(Subject, "images", 3);

        (fitsWithGrant.Outcome, fitsWithGrant.Used, fitsWithGrant.Limit).Should().Be((UsageOutcome.Allowed, 3L, FeatureLimit.Hard(5)));
        (pastTheGrant.Outcome, pastTheGrant.Limit).Should().Be((UsageOutcome.LimitExceeded, FeatureLimit.Hard(5)));
    }

    [Fact]
    public async Task A_check_uses_the_subjects_override_instead_of_the_plan()
    {
        await Admin.SetOverrideAsync(Subject, "api_calls", FeatureLimit.Hard(20));
        await Admin.SetOverrideAsync(Subject, "images", FeatureLimit.Disabled);
        await ConsumeAsync("api_calls", 10); // the plan's whole limit of 10

        var raised = await Tracker.CheckAsync(Subject, "api_calls", 10);
        var disabled = await Tracker.CheckAsync(Subject, "images");

        (raised.Outcome, raised.Used, raised.Limit).Should().Be((UsageOutcome.Allowed, 10L, FeatureLimit.Hard(20)));
        (disabled.Outcome, disabled.Limit).Should().Be((UsageOutcome.FeatureDisabled, FeatureLimit.Disabled));
    }

    [Fact]
    public async Task A_soft_override_stays_soft_once_stored()
    {
        await Admin.SetOverrideAsync(Subject, "images", FeatureLimit.Soft(2));

        var third = await ConsumeAsync("images", 3); // a soft limit of 2 lets 3 through and reports the overshoot
        var check = await Tracker.CheckAsync(Subject, "images", 10);
        var stored = await Admin.GetSubjectAsync(Subject);

        (third.Outcome, third.Used, third.Limit, third.SoftLimitExceeded).Should().Be((UsageOutcome.Allowed, 3L, FeatureLimit.Soft(2), true));
        (check.Outcome, check.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Soft(2)));
        stored.Overrides.Should().Equal(new Dictionary<string, FeatureLimit> { ["images"] = FeatureLimit.Soft(2) });
    }

    [Fact]
    public async Task A_disabled_override_stays_disabled_once_stored()
    {
        await Admin.SetOverrideAsync(Subject, "exports", FeatureLimit.Disabled); // unlimited on the plan

        var consume = await ConsumeAsync("exports");
        var increment = await Tracker.IncrementAsync(Subject, "exports");
        var stored = await Admin.GetSubjectAsync(Subject);

        (consume.Outcome, consume.Used, consume.Limit).Should().Be((UsageOutcome.FeatureDisabled, 0L, FeatureLimit.Disabled));
        (increment.Outcome, increment.Limit).Should().Be((UsageOutcome.FeatureDisabled, FeatureLimit.Disabled));
        stored.Overrides.Should().Equal(new Dictionary<string, FeatureLimit> { ["exports"] = FeatureLimit.Disabled });
    }
}
