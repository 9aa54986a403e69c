using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    /// <summary>Billing anchor 2025-01-15T00:00Z: at Monday0900 (2025-03-10) the cycle is [2025-02-15, 2025-03-15).</summary>
    private static readonly Instant January15 = Instant.FromUtc(2025, 1, 15, 0, 0);

    private static readonly UsagePeriod CycleFromFebruary15 = new(Instant.FromUtc(2025, 2, 15, 0, 0), Instant.FromUtc(2025, 3, 15, 0, 0));

    [Fact]
    public async Task Billing_cycle_usage_counts_in_the_cycle_from_the_subjects_anchor()
    {
        await Admin.SetBillingAnchorAsync(Subject, January15);

        var decision = await ConsumeAsync("billed_minutes", 30);

        (decision.Used, decision.Period).Should().Be((30L, CycleFromFebruary15));
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "billed_minutes").Used.Should().Be(30);
    }

    [Fact]
    public async Task A_subject_without_a_billing_anchor_cannot_use_a_billing_cycle_feature_and_its_usage_page_leaves_it_out()
    {
        var consume = () => ConsumeAsync("billed_minutes");

        await consume.Should().ThrowAsync<QuotaConfigurationException>().WithMessage("*billed_minutes*billing anchor*");
        (await Tracker.GetUsageAsync(Subject)).Select(u => u.FeatureKey).Should().NotContain("billed_minutes").And.Contain("images");
    }

    [Fact]
    public async Task Re_anchoring_to_now_ends_the_open_cycle_at_the_change_and_the_new_cycle_counts_from_zero()
    {
        await Admin.SetBillingAnchorAsync(Subject, January15);
        await ConsumeAsync("billed_minutes", 30);
        var change = Monday0900 + Duration.FromHours(1); // 2025-03-10T10:00Z, inside [2025-02-15, 2025-03-15)
        Clock.SetTo(change);

        // The 30 minutes were used before the new cycle began, so none of them belongs to it.
        await Admin.SetBillingAnchorAsync(Subject, change);
        var afterChange = await ConsumeAsync("billed_minutes", 5);
        var history = await Tracker.GetHistoryAsync(Subject, "billed_minutes", January15, Instant.FromUtc(2025, 5, 1, 0, 0));

        var newCycle = new UsagePeriod(change, Instant.FromUtc(2025, 4, 10, 10, 0));
        (afterChange.Used, afterChange.Period).Should().Be((5L, newCycle));
        history.Select(h => (h.Period, h.Used)).Should().Equal(
            (new UsagePeriod(CycleFromFebruary15.Start, change), 30L),
            (newCycle, 5L));
    }

    [Fact]
    public async Task Usage_dated_before_the_billing_anchor_is_refused()
    {
        await Admin.SetBillingAnchorAsync(Subject, Monday0900);

        var backdated = () => ConsumeAsync("billed_minutes", 1, new UsageOptions { At = Monday0900 - Duration.FromSeconds(1) });

        await backdated.Should().ThrowAsync<PeriodOutOfRangeException>();
    }
}
