using NodaTime;

namespace QuotaKit;

/// <summary>Works out what a plan change does to each feature's current period, from the features'
/// <see cref="PlanChangeRule"/>s (docs/concepts.md, "Plan changes").</summary>
internal static class PlanChanges
{
    /// <summary>Whether any feature has a rule other than <see cref="PlanChangeRule.Keep"/> (else a plan change is a plain write).</summary>
    public static bool AnyRules(QuotaKitRuntime runtime) =>
        runtime.Options.Features.Values.Any(f => f.OnUpgrade != PlanChangeRule.Keep || f.OnDowngrade != PlanChangeRule.Keep);

    public static PlanChangeEffects Of(QuotaKitRuntime runtime, SubjectContext before, string newPlanKey, Instant now)
    {
        var after = before with { PlanKey = newPlanKey };
        var resets = new List<string>();
        var grants = new List<UsageGrant>();
        foreach (var feature in runtime.Options.Features.Values)
        {
            // An override decides the limit whatever the plan: the plan change does not change this feature.
            if (before.Overrides.ContainsKey(feature.Key))
            {
                continue;
            }

            var oldLimit = PlanLimit(runtime, before, feature.Key);
            var newLimit = PlanLimit(runtime, after, feature.Key);
            var direction = Rank(newLimit).CompareTo(Rank(oldLimit));
            var rule = direction > 0 ? feature.OnUpgrade : direction < 0 ? feature.OnDowngrade : PlanChangeRule.Keep;
            if (rule == PlanChangeRule.Reset)
            {
                resets.Add(feature.Key);
            }
            else if (rule == PlanChangeRule.CarryOverUntilPeriodEnd && direction < 0
                     && oldLimit.Kind == LimitKind.Limited && newLimit.Kind == LimitKind.Limited)
            {
                var periodEnd = QuotaKitRuntime.GetPeriod(feature, after, now).End;
                grants.Add(new UsageGrant(feature.Key, oldLimit.Value - newLimit.Value, now, periodEnd,
                    $"plan change from '{before.PlanKey ?? runtime.Options.DefaultPlan}' to '{newPlanKey}': the higher limit until the period ends"));
            }
        }

        return resets.Count == 0 && grants.Count == 0 ? PlanChangeEffects.None : new PlanChangeEffects(resets, grants);
    }

    private static FeatureLimit PlanLimit(QuotaKitRuntime runtime, SubjectContext subject, string featureKey) =>
        runtime.GetPlan(subject)?.GetLimit(featureKey) ?? FeatureLimit.Disabled;

    // Disabled < any number < unlimited; soft and hard limits of one number rank alike.
    private static decimal Rank(FeatureLimit limit) => limit.Kind switch
    {
        LimitKind.Disabled => -1,
        LimitKind.Unlimited => decimal.MaxValue,
        _ => limit.Value,
    };
}
