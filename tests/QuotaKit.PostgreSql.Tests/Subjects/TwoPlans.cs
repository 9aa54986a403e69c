namespace QuotaKit.PostgreSql.Tests.Subjects;

/// <summary>The catalog of the subject tests: one daily feature, a free plan (3, the default) and a pro plan (100).</summary>
internal static class TwoPlans
{
    public static void Declare(QuotaKitBuilder q) => q
        .AddFeature("images", PeriodPolicy.Day)
        .AddPlan("free", p => p.Limit("images", 3))
        .AddPlan("pro", p => p.Limit("images", 100))
        .UseDefaultPlan("free");

    public static FeatureLimit LimitOf(string plan) => plan == "pro" ? FeatureLimit.Hard(100) : FeatureLimit.Hard(3);
}
