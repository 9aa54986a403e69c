namespace QuotaKit;

/// <summary>What a write does to a counter.</summary>
public enum UsageOperation
{
    /// <summary>Add the amount if the hard limit allows it (<see cref="IUsageTracker.TryConsumeAsync"/>).</summary>
    Consume,

    /// <summary>Add the amount even past the limit; only a disabled feature refuses it (<see cref="IUsageTracker.IncrementAsync"/>).</summary>
    Increment,

    /// <summary>Subtract the amount, never below zero (<see cref="IUsageTracker.RefundAsync"/>).</summary>
    Refund,

    /// <summary>Set a <see cref="FeatureAggregation.Last"/> gauge to the amount.</summary>
    SetGauge,

    /// <summary>Raise a <see cref="FeatureAggregation.Max"/> gauge to the amount if it is higher.</summary>
    RaiseGauge,
}

/// <summary>Rules shared by every store about which operation fits which feature and amount.</summary>
internal static class UsageOperations
{
    /// <summary>The operation's stored name: consume, increment, refund, set or raise.</summary>
    public static string Name(this UsageOperation operation) => operation switch
    {
        UsageOperation.Consume => "consume",
        UsageOperation.Increment => "increment",
        UsageOperation.Refund => "refund",
        UsageOperation.SetGauge => "set",
        UsageOperation.RaiseGauge => "raise",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown usage operation."),
    };

    /// <summary>A gauge call sets the value of a <see cref="FeatureAggregation.Last"/> feature and raises a
    /// <see cref="FeatureAggregation.Max"/> one.</summary>
    public static UsageOperation ForGauge(FeatureDefinition feature) =>
        feature.Aggregation == FeatureAggregation.Max ? UsageOperation.RaiseGauge : UsageOperation.SetGauge;

    public static bool IsGauge(this UsageOperation operation) => operation is UsageOperation.SetGauge or UsageOperation.RaiseGauge;

    /// <exception cref="InvalidAmountException">A gauge value is negative, or another amount is not positive.</exception>
    public static void ValidateAmount(this UsageOperation operation, long amount)
    {
        if (operation.IsGauge())
        {
            UsageArguments.ValidateGaugeValue(amount);
        }
        else
        {
            UsageArguments.ValidatePositive(amount);
        }
    }

    /// <exception cref="FeatureKindMismatchException">A gauge operation on a counter, or a counter operation on a gauge.</exception>
    public static void RequireFits(this UsageOperation operation, FeatureDefinition feature, string operationName)
    {
        if (operation.IsGauge() == (feature.Aggregation == FeatureAggregation.Sum))
        {
            throw new FeatureKindMismatchException(feature.Key, feature.Aggregation, operationName);
        }
    }
}
