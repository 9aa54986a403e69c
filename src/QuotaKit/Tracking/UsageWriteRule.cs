namespace QuotaKit;

/// <summary>
/// How a write is judged against the limit in force: whether the limit refuses it, and with which outcome. Shared so
/// every store decides the same way.
/// </summary>
internal readonly record struct UsageWriteRule(bool Enforce, UsageOutcome DeniedOutcome)
{
    public static UsageWriteRule For(UsageOperation operation, FeatureLimit limit)
    {
        if (limit.Kind == LimitKind.Disabled)
        {
            // Nothing may be consumed or metered on a disabled feature; refunds and gauges still record.
            return new UsageWriteRule(operation is UsageOperation.Consume or UsageOperation.Increment, UsageOutcome.FeatureDisabled);
        }

        var hardLimited = limit is { Kind: LimitKind.Limited, IsSoft: false };
        return new UsageWriteRule(operation == UsageOperation.Consume && hardLimited, UsageOutcome.LimitExceeded);
    }

    /// <summary>Whether a counter at <paramref name="usedAfter"/> would be refused under <paramref name="limit"/>.</summary>
    public bool Refuses(long usedAfter, FeatureLimit limit) => Enforce && usedAfter > (limit.AsNumber ?? long.MaxValue);
}
