namespace QuotaKit;

/// <summary>The first call made with an idempotency key, as a store keeps it: what was asked and what was answered.</summary>
/// <param name="FeatureKey">The feature.</param>
/// <param name="OperationName">The operation's stored name (<see cref="UsageWrite.OperationName"/>).</param>
/// <param name="Amount">The amount.</param>
/// <param name="Period">The counter's period.</param>
/// <param name="Limit">The limit in force.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="UsedAfter">The counter's value right after the call.</param>
/// <param name="CallId">The <see cref="UsageWrite.CallId"/> of the call; <c>null</c> when the store did not keep it.</param>
public sealed record StoredUsageCall(
    string FeatureKey, string OperationName, long Amount, UsagePeriod Period, FeatureLimit Limit, UsageOutcome Outcome, long UsedAfter,
    Guid? CallId)
{
    /// <summary>How <paramref name="write"/> differs from this first call, for <see cref="IdempotencyConflictException"/>;
    /// <c>null</c> when it is the same call.</summary>
    internal string? DifferenceFrom(UsageWrite write)
    {
        if (write.FeatureKey != FeatureKey)
        {
            return $"feature '{write.FeatureKey}' instead of '{FeatureKey}'";
        }

        if (write.OperationName != OperationName)
        {
            return $"operation '{write.OperationName}' instead of '{OperationName}'";
        }

        return write.Amount != Amount ? $"amount {write.Amount} instead of {Amount}" : null;
    }
}
