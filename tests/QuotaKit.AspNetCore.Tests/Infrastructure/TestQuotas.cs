using NodaTime;

namespace QuotaKit.AspNetCore.Tests.Infrastructure;

/// <summary>The features and plan every test host declares, and the instant its fake clock starts at.</summary>
internal static class TestQuotas
{
    /// <summary>One hour before the end of a UTC day in April 2025 (30 days): a day resets in 3600 s.</summary>
    public static readonly Instant Now = Instant.FromUtc(2025, 4, 10, 23, 0);

    public static readonly Instant Anchor = Instant.FromUtc(2025, 1, 1, 0, 0);

    public static QuotaKitBuilder Declare(QuotaKitBuilder q) => q
        .AddFeature("images", PeriodPolicy.Day, f => f.Unit = "image")
        .AddFeature("pages", PeriodPolicy.Month, f => f.Unit = "page")
        .AddFeature("credits", PeriodPolicy.Lifetime, f => f.Unit = "credit")
        .AddFeature("search", PeriodPolicy.Day)
        .AddFeature("beta", PeriodPolicy.Day)
        .AddFeature("voice", PeriodPolicy.Day)
        .AddFeature("fail_open", PeriodPolicy.Day)
        .AddPlan("free", p => p
            .Limit("images", 3).Limit("pages", 20).Limit("credits", 2).Unlimited("search").Disabled("beta")
            .SoftLimit("voice", 5).Limit("fail_open", 1))
        .UseDefaultPlan("free")
        .UseSubjectContextResolver<AnchoredFreePlan>();

    /// <summary>Every subject is on the free plan with a billing anchor (lifetime features need one).</summary>
    private sealed class AnchoredFreePlan : ISubjectContextResolver
    {
        public ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new SubjectContext { PlanKey = "free", BillingAnchor = Anchor });
    }
}
