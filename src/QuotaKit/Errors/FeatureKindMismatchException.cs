namespace QuotaKit;

/// <summary>
/// Thrown when a call does not fit the feature's aggregation: consume, increment, refund and check are for counters
/// (<see cref="FeatureAggregation.Sum"/>); setting a gauge is for <see cref="FeatureAggregation.Last"/> and
/// <see cref="FeatureAggregation.Max"/> features.
/// </summary>
public sealed class FeatureKindMismatchException : QuotaKitException
{
    /// <summary>Creates the exception for the feature, its aggregation and the operation that was attempted.</summary>
    public FeatureKindMismatchException(string featureKey, FeatureAggregation aggregation, string operation)
        : base(
            $"Feature '{featureKey}' aggregates by {aggregation}, so '{operation}' cannot be used on it: " +
            (aggregation == FeatureAggregation.Sum
                ? "use TryConsume, Increment, Refund or Check."
                : "use SetGauge."))
    {
        FeatureKey = featureKey;
        Aggregation = aggregation;
        Operation = operation;
    }

    /// <summary>The feature's key.</summary>
    public string FeatureKey { get; }

    /// <summary>The feature's aggregation.</summary>
    public FeatureAggregation Aggregation { get; }

    /// <summary>The operation that was attempted, e.g. <c>consume</c>.</summary>
    public string Operation { get; }
}
