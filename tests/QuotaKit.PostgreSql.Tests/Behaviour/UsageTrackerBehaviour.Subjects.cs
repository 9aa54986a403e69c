using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_plan_change_mid_period_applies_at_once_to_what_is_used()
    {
        await ConsumeAsync("images", 3);
        await Admin.SetPlanAsync(Subject, "pro");
        var onPro = await ConsumeAsync("images");

        await Admin.SetPlanAsync(Subject, "free");
        var backOnFree = await ConsumeAsync("images");

        (onPro.Allowed, onPro.Used, onPro.Limit).Should().Be((true, 4L, FeatureLimit.Hard(100)));
        (backOnFree.Outcome, backOnFree.Used, backOnFree.Limit).Should().Be((UsageOutcome.LimitExceeded, 4L, FeatureLimit.Hard(3)));
        (backOnFree.Remaining, backOnFree.HardLimitExceeded).Should().Be((0L, true));
    }

    [Fact]
    public async Task An_override_replaces_the_plans_limit_until_removed()
    {
        await Admin.SetOverrideAsync(Subject, "images", FeatureLimit.Hard(5));
        var fifth = await ConsumeAsync("images", 5);
        var sixth = await ConsumeAsync("images");
        await Admin.SetOverrideAsync(Subject, "videos", FeatureLimit.Unlimited);
        var video = await ConsumeAsync("videos");

        await Admin.RemoveOverrideAsync(Subject, "images");
        var usage = (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "images");

        (fifth.Allowed, fifth.Used, fifth.Limit).Should().Be((true, 5L, FeatureLimit.Hard(5)));
        sixth.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (video.Allowed, video.Limit).Should().Be((true, FeatureLimit.Unlimited));
        (usage.Used, usage.Limit, usage.Remaining).Should().Be((5L, FeatureLimit.Hard(3), 0L));
        (await Admin.GetSubjectAsync(Subject)).Overrides.Should().Equal(new Dictionary<string, FeatureLimit> { ["videos"] = FeatureLimit.Unlimited });
    }

    [Fact]
    public async Task A_grant_adds_units_only_inside_its_validity_window()
    {
        await Admin.AddGrantAsync(Subject, "images", 2, Instant.FromUtc(2025, 3, 10, 12, 0), Instant.FromUtc(2025, 3, 10, 18, 0), "support");
        await ConsumeAsync("images", 3);
        var beforeWindow = await ConsumeAsync("images"); // 09:00: limit 3

        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 12, 0));
        var fourth = await ConsumeAsync("images"); // limit 3 + 2
        var fifth = await ConsumeAsync("images");
        var sixth = await ConsumeAsync("images");

        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 18, 0));
        var afterWindow = await ConsumeAsync("images");

        (beforeWindow.Outcome, beforeWindow.Limit).Should().Be((UsageOutcome.LimitExceeded, FeatureLimit.Hard(3)));
        (fourth.Allowed, fourth.Used, fourth.Limit).Should().Be((true, 4L, FeatureLimit.Hard(5)));
        (fifth.Allowed, fifth.Used).Should().Be((true, 5L));
        sixth.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (afterWindow.Outcome, afterWindow.Used, afterWindow.Limit).Should().Be((UsageOutcome.LimitExceeded, 5L, FeatureLimit.Hard(3)));
        (await Admin.GetSubjectAsync(Subject)).Grants.Should().ContainSingle().Which.Should().Be(
            new UsageGrant("images", 2, Instant.FromUtc(2025, 3, 10, 12, 0), Instant.FromUtc(2025, 3, 10, 18, 0), "support"));
    }

    [Fact]
    public async Task The_admin_API_stores_the_subjects_context()
    {
        var anchor = Instant.FromUtc(2025, 1, 31, 10, 0);
        await Admin.SetPlanAsync(Subject, "pro");
        await Admin.SetTimeZoneAsync(Subject, "Europe/Paris");
        await Admin.SetBillingAnchorAsync(Subject, anchor);

        var subject = await Admin.GetSubjectAsync(Subject);
        await Admin.SetTimeZoneAsync(Subject, null);

        (subject.PlanKey, subject.TimeZone?.Id, subject.BillingAnchor).Should().Be(("pro", "Europe/Paris", anchor));
        (await Admin.GetSubjectAsync(Subject)).TimeZone.Should().BeNull();
        NothingStored(await Admin.GetSubjectAsync(Subject + "-unknown"));
    }

    [Fact]
    public async Task A_cleared_billing_anchor_is_stored_as_none_and_set_again_later()
    {
        var anchor = Instant.FromUtc(2025, 1, 31, 10, 0);
        await Admin.SetBillingAnchorAsync(Subject, anchor);

        await Admin.SetBillingAnchorAsync(Subject, null);
        var cleared = await Admin.GetSubjectAsync(Subject);
        await Admin.SetBillingAnchorAsync(Subject, anchor + Duration.FromDays(1));

        cleared.BillingAnchor.Should().BeNull();
        (await Admin.GetSubjectAsync(Subject)).BillingAnchor.Should().Be(anchor + Duration.FromDays(1));
    }

    [Fact]
    public async Task The_admin_API_refuses_bad_input_with_typed_exceptions()
    {
        var from = Instant.FromUtc(2025, 3, 10, 0, 0);
        await FluentActions.Awaiting(() => Admin.SetPlanAsync(Subject, "gold")).Should().ThrowAsync<UnknownPlanException>();
        await FluentActions.Awaiting(() => Admin.SetTimeZoneAsync(Subject, "Mars/Olympus")).Should().ThrowAsync<UnknownTimeZoneException>();
        await FluentActions.Awaiting(() => Admin.SetOverrideAsync(Subject, "movies", FeatureLimit.Hard(1))).Should().ThrowAsync<UnknownFeatureException>();
        await FluentActions.Awaiting(() => Admin.RemoveOverrideAsync(Subject, "movies")).Should().ThrowAsync<UnknownFeatureException>();
        await FluentActions.Awaiting(() => Admin.AddGrantAsync(Subject, "images", 0, from, from + Duration.FromDays(1)))
            .Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Admin.AddGrantAsync(Subject, "images", 5, from, from)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Admin.SetPlanAsync(" ", "pro")).Should().ThrowAsync<InvalidSubjectException>();

        NothingStored(await Admin.GetSubjectAsync(Subject));
    }

    // The defaults; a store that keeps versions says version 0 (nothing stored), one that does not says null.
    private static void NothingStored(SubjectContext context)
    {
        (context with { Version = null }).Should().Be(SubjectContext.Default);
        context.Version.GetValueOrDefault().Should().Be(0);
    }
}
