namespace QuotaKit;

/// <summary>Names of the write operations, as stored in the usage-event ledger.</summary>
internal static class UsageOperation
{
    public const string Consume = "consume";
    public const string Increment = "increment";
    public const string Refund = "refund";
    public const string Set = "set";
    public const string Raise = "raise";

    /// <summary>The gauge operation for a feature: set for Last, raise for Max.</summary>
    public static string ForGauge(FeatureAggregation aggregation) => aggregation == FeatureAggregation.Max ? Raise : Set;

    /// <exception cref="FeatureKindMismatchException">The operation does not fit the feature's aggregation.</exception>
    public static void EnsureFits(FeatureDefinition feature, string operation)
    {
        var isGaugeOperation = operation is Set or Raise;
        if (isGaugeOperation == (feature.Aggregation == FeatureAggregation.Sum))
        {
            throw new FeatureKindMismatchException(feature.Key, feature.Aggregation, operation);
        }
    }
}
