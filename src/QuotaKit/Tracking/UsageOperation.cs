namespace QuotaKit;

/// <summary>What a usage call does; its name is stored with usage events and compared on idempotent replays.</summary>
internal enum UsageOperation
{
    Consume,
    Increment,
    Refund,
    SetGauge,
    RaiseGauge,
    Check,
}

/// <summary>Rules shared by every tracker about which operation fits which feature and amount.</summary>
internal static class UsageOperations
{
    /// <summary>The operation's stored name: consume, increment, refund, set, raise or check.</summary>
    public static string Name(this UsageOperation operation) => operation switch
    {
        UsageOperation.Consume => "consume",
        UsageOperation.Increment => "increment",
        UsageOperation.Refund => "refund",
        UsageOperation.SetGauge => "set",
        UsageOperation.RaiseGauge => "raise",
        _ => "check",
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
    public static void RequireFits(this UsageOperation operation, FeatureDefinition feature)
    {
        if (operation.IsGauge() == (feature.Aggregation == FeatureAggregation.Sum))
        {
            throw new FeatureKindMismatchException(feature.Key, feature.Aggregation, operation.Name());
        }
    }
}
