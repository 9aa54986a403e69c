namespace QuotaKit;

/// <summary>A plan: a limit per feature. A feature the plan does not name is disabled on it.</summary>
public sealed class PlanDefinition
{
    /// <summary>Creates an empty plan with the given key.</summary>
    public PlanDefinition(string key)
    {
        Key = key;
    }

    /// <summary>The plan's key, e.g. <c>free</c> or <c>pro</c>.</summary>
    public string Key { get; }

    /// <summary>Limits by feature key.</summary>
    public IDictionary<string, FeatureLimit> Limits { get; } = new Dictionary<string, FeatureLimit>(StringComparer.Ordinal);

    /// <summary>Sets a hard limit of <paramref name="units"/> per period on <paramref name="featureKey"/>.</summary>
    public PlanDefinition Limit(string featureKey, long units) => Set(featureKey, FeatureLimit.Hard(units));

    /// <summary>Sets a soft limit (alerts only, never refuses) of <paramref name="units"/> per period.</summary>
    public PlanDefinition SoftLimit(string featureKey, long units) => Set(featureKey, FeatureLimit.Soft(units));

    /// <summary>Makes <paramref name="featureKey"/> unlimited on this plan.</summary>
    public PlanDefinition Unlimited(string featureKey) => Set(featureKey, FeatureLimit.Unlimited);

    /// <summary>Makes <paramref name="featureKey"/> unavailable on this plan.</summary>
    public PlanDefinition Disabled(string featureKey) => Set(featureKey, FeatureLimit.Disabled);

    /// <summary>Sets any limit on <paramref name="featureKey"/>.</summary>
    public PlanDefinition Set(string featureKey, FeatureLimit limit)
    {
        ArgumentNullException.ThrowIfNull(featureKey);
        Limits[featureKey] = limit;
        return this;
    }

    /// <summary>The limit for <paramref name="featureKey"/>; disabled when the plan does not name it.</summary>
    public FeatureLimit GetLimit(string featureKey) =>
        Limits.TryGetValue(featureKey, out var limit) ? limit : FeatureLimit.Disabled;
}
