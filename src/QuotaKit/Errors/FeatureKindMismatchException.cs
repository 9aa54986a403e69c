namespace QuotaKit;

/// <summary>
/// Thrown when a call does not fit the feature's aggregation: consume, increment and refund are for counters
/// (<see cref="FeatureAggregation.Sum"/>); <c>SetGaugeAsync</c> is for gauges (<see cref="FeatureAggregation.Last"/>,
/// <see cref="FeatureAggregation.Max"/>).
/// </summary>
public sealed class FeatureKindMismatchException : QuotaKitException
{
    /// <summary>Creates the exception for the feature, its aggregation and the operation attempted.</summary>
    public FeatureKindMismatchException(string featureKey, FeatureAggregation aggregation, string operation)
        : base($"Feature '{featureKey}' aggregates as {aggregation}; '{operation}' is not allowed on it. " +
               "Use TryConsume/Increment/Refund for Sum features and SetGauge for Last or Max features.")
    {
        FeatureKey = featureKey;
        Aggregation = aggregation;
    }

    /// <summary>The feature.</summary>
    public string FeatureKey { get; }

    /// <summary>The feature's aggregation.</summary>
    public FeatureAggregation Aggregation { get; }
}
