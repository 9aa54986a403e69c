using Microsoft.Extensions.Options;
using NodaTime;

namespace QuotaKit;

/// <summary>
/// The validated configuration in the form the trackers use: feature and plan look-ups, the limit in force for a
/// subject at an instant, and the period an instant falls in. Shared by every tracker so they agree on semantics.
/// </summary>
internal sealed class QuotaKitRuntime
{
    public QuotaKitRuntime(IOptions<QuotaKitOptions> options)
    {
        Options = options.Value;
        QuotaKitOptionsValidator.ThrowIfInvalid(Options);
        _alertThresholds = Options.Features.ToDictionary(f => f.Key, f => f.Value.AlertThresholds.ToArray(), StringComparer.Ordinal);
    }

    // Each feature's thresholds as an array, copied once: the hot path sends them with every write.
    private readonly Dictionary<string, int[]> _alertThresholds;

    public QuotaKitOptions Options { get; }

    /// <exception cref="UnknownFeatureException">The key is not declared.</exception>
    public FeatureDefinition GetFeature(string featureKey)
    {
        if (featureKey is null || !Options.Features.TryGetValue(featureKey, out var feature))
        {
            throw new UnknownFeatureException(featureKey ?? "(null)");
        }

        return feature;
    }

    /// <exception cref="UnknownPlanException"><paramref name="planKey"/> is not declared.</exception>
    public PlanDefinition RequirePlan(string planKey) =>
        planKey is not null && Options.Plans.TryGetValue(planKey, out var plan) ? plan : throw new UnknownPlanException(planKey ?? "(null)");

    /// <exception cref="UnknownPlanException">The subject's plan is not declared.</exception>
    public PlanDefinition? GetPlan(SubjectContext subject)
    {
        var planKey = subject.PlanKey ?? Options.DefaultPlan;
        return planKey is null ? null : RequirePlan(planKey);
    }

    /// <summary>The limit in force: the subject's override, else its plan's (a plan without the feature disables it),
    /// plus grants valid at <paramref name="at"/>.</summary>
    public FeatureLimit GetLimit(SubjectContext subject, string featureKey, Instant at)
    {
        var limit = subject.Overrides.TryGetValue(featureKey, out var overridden)
            ? overridden
            : GetPlan(subject)?.GetLimit(featureKey) ?? FeatureLimit.Disabled;

        long extra = 0;
        foreach (var grant in subject.Grants)
        {
            if (grant.FeatureKey == featureKey && grant.IsValidAt(at))
            {
                extra = extra > long.MaxValue - grant.Amount ? long.MaxValue : extra + grant.Amount;
            }
        }

        return limit.WithExtra(extra);
    }

    /// <summary>The feature's alert thresholds (percent of the limit) as configured; shared, never modify the array.</summary>
    public int[] GetAlertThresholds(FeatureDefinition feature) => _alertThresholds[feature.Key];

    /// <exception cref="QuotaConfigurationException">The feature's periods start from a billing anchor the subject lacks.</exception>
    /// <exception cref="PeriodOutOfRangeException"><paramref name="at"/> is before the subject's billing anchor.</exception>
    public static UsagePeriod GetPeriod(FeatureDefinition feature, SubjectContext subject, Instant at)
    {
        if (!HasPeriod(feature, subject))
        {
            throw new QuotaConfigurationException(
                $"Feature '{feature.Key}' counts per {feature.Period}, which starts from the subject's billing anchor, and the " +
                "subject has none. Set it with IQuotaAdministration.SetBillingAnchorAsync or return it from your ISubjectContextResolver.");
        }

        return SupportedInstants.GetPeriod(feature, subject, at);
    }

    /// <summary>
    /// The limit a history row shows: the number stored with the period's last write (<c>null</c>: unlimited), with the
    /// kind (soft, hard, disabled) of <paramref name="current"/>, the limit in force at the period's start.
    /// </summary>
    public static FeatureLimit RecordedLimit(long? recorded, FeatureLimit current) => recorded switch
    {
        null => FeatureLimit.Unlimited,
        _ when current.Kind == LimitKind.Disabled && recorded == 0 => FeatureLimit.Disabled,
        _ => FeatureLimit.FromParts(LimitKind.Limited, recorded, current.IsSoft),
    };

    /// <summary>Whether the subject has periods for the feature (anchored policies need the subject's billing anchor).</summary>
    public static bool HasPeriod(FeatureDefinition feature, SubjectContext subject) =>
        !feature.Period.RequiresAnchor || subject.BillingAnchor is not null;

    /// <summary>The features a usage page lists for the subject, by key: every feature it has a period for.</summary>
    public FeatureDefinition[] FeaturesWithPeriods(SubjectContext subject) =>
        Options.Features.Values.Where(f => HasPeriod(f, subject)).OrderBy(f => f.Key, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// When a block carried over into <paramref name="period"/> stops being usable: the end of the period
    /// <see cref="RolloverRule.Periods"/> − 1 after it (<see cref="SupportedInstants.Max"/> when the periods run past the
    /// supported instants); <c>null</c> when the feature does not roll over.
    /// </summary>
    public static Instant? RolloverValidUntil(FeatureDefinition feature, SubjectContext subject, UsagePeriod period)
    {
        if (feature.Rollover is not { } rule)
        {
            return null;
        }

        var end = period.End;
        try
        {
            for (var i = 1; i < rule.Periods && end < SupportedInstants.Max; i++)
            {
                end = SupportedInstants.GetPeriod(feature, subject, end).End;
            }
        }
        catch (PeriodOutOfRangeException)
        {
            // Periods past the last one QuotaKit can compute: the block lasts as long as instants can be stored.
            end = SupportedInstants.Max;
        }

        return end;
    }
}
