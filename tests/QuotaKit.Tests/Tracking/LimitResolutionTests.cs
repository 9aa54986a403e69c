using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>How the tracker finds a subject's plan, limit and period (QuotaKitRuntime), and how it refuses what it cannot find.</summary>
public sealed class LimitResolutionTests
{
    private const string Subject = "limits-subject";
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);

    [Fact]
    public async Task A_subject_without_a_plan_where_no_default_plan_is_declared_has_its_features_disabled()
    {
        await using var services = Services(q => q.AddPlan("pro", p => p.Limit("images", 5)));

        var decision = await services.GetRequiredService<IUsageTracker>().CheckAsync(Subject, "images");

        (decision.Allowed, decision.Limit).Should().Be((false, FeatureLimit.Disabled));
    }

    [Fact]
    public async Task An_undeclared_plan_is_refused_by_naming_it()
    {
        await using var services = Services(q => q.AddPlan("free", p => p.Limit("images", 5)).UseDefaultPlan("free"));

        var act = () => services.GetRequiredService<IQuotaAdministration>().SetPlanAsync(Subject, "platinum");

        (await act.Should().ThrowAsync<UnknownPlanException>()).Which.PlanKey.Should().Be("platinum");
    }

    [Fact]
    public async Task A_missing_plan_key_is_refused_as_an_unknown_plan_that_says_what_was_missing()
    {
        await using var services = Services(q => q.AddPlan("free", p => p.Limit("images", 5)).UseDefaultPlan("free"));

        var act = () => services.GetRequiredService<IQuotaAdministration>().SetPlanAsync(Subject, null!);

        (await act.Should().ThrowAsync<UnknownPlanException>()).Which.PlanKey.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_call_without_a_feature_key_is_refused_as_an_unknown_feature_that_says_what_was_missing()
    {
        await using var services = Services(q => q.AddPlan("free", p => p.Limit("images", 5)).UseDefaultPlan("free"));

        var act = () => services.GetRequiredService<IUsageTracker>().TryConsumeAsync(Subject, null!);

        (await act.Should().ThrowAsync<UnknownFeatureException>()).Which.FeatureKey.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Grants_that_together_pass_the_largest_limit_give_the_largest_limit_instead_of_wrapping_around()
    {
        await using var services = Services(q => q.AddPlan("free", p => p.Limit("images", 5)).UseDefaultPlan("free"));
        var admin = services.GetRequiredService<IQuotaAdministration>();
        await admin.AddGrantAsync(Subject, "images", long.MaxValue - 1, Now - Duration.FromDays(1), Now + Duration.FromDays(1));
        await admin.AddGrantAsync(Subject, "images", long.MaxValue - 1, Now - Duration.FromDays(1), Now + Duration.FromDays(1));

        var decision = await services.GetRequiredService<IUsageTracker>().CheckAsync(Subject, "images", 1_000);

        (decision.Allowed, decision.Limit).Should().Be((true, FeatureLimit.Hard(long.MaxValue)));
    }

    [Fact]
    public async Task A_billing_cycle_feature_for_a_subject_without_an_anchor_is_refused_with_how_to_set_one()
    {
        await using var services = Services(q => q
            .AddFeature("seconds", PeriodPolicy.MonthlyBillingCycle)
            .AddPlan("free", p => p.Limit("images", 5).Limit("seconds", 60))
            .UseDefaultPlan("free"));

        var act = () => services.GetRequiredService<IUsageTracker>().TryConsumeAsync(Subject, "seconds");

        (await act.Should().ThrowAsync<QuotaConfigurationException>()).Which.Message.Should().Contain(nameof(IQuotaAdministration.SetBillingAnchorAsync));
    }

    [Fact]
    public void A_period_stored_with_a_limit_of_zero_shows_zero_unless_the_feature_is_disabled()
    {
        QuotaKitRuntime.RecordedLimit(0, FeatureLimit.Hard(3)).Should().Be(FeatureLimit.Hard(0));
        QuotaKitRuntime.RecordedLimit(0, FeatureLimit.Disabled).Should().Be(FeatureLimit.Disabled);
        QuotaKitRuntime.RecordedLimit(7, FeatureLimit.Disabled).Should().Be(FeatureLimit.Hard(7));
    }

    private static ServiceProvider Services(Func<QuotaKitBuilder, QuotaKitBuilder> plans) =>
        new ServiceCollection()
            .AddQuotaKit(q => plans(q
                    .AddFeature("images", PeriodPolicy.Day)
                    .UseClock(new FakeClock(Now))
                    .UseInMemoryStore()))
            .Services.BuildServiceProvider();
}
