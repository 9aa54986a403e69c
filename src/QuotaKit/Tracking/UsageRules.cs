namespace QuotaKit;

/// <summary>
/// What an operation does to a counter: the rules the PostgreSQL store applies in SQL (<c>quotakit.record_usage</c>),
/// for the in-memory store's writes and every store's checks.
/// </summary>
internal static class UsageRules
{
    /// <summary>The outcome of <paramref name="operation"/> on a counter at <paramref name="used"/>, and the value after it
    /// when it is applied.</summary>
    /// <exception cref="InvalidAmountException">The counter would exceed <see cref="long.MaxValue"/>.</exception>
    public static (UsageOutcome Outcome, long UsedAfter) Decide(UsageOperation operation, long used, long amount, FeatureLimit limit)
    {
        switch (operation)
        {
            case UsageOperation.Refund:
                return (UsageOutcome.Allowed, Math.Max(0, used - amount));
            case UsageOperation.SetGauge:
                return (UsageOutcome.Allowed, amount);
            case UsageOperation.RaiseGauge:
                return (UsageOutcome.Allowed, Math.Max(used, amount));
        }

        // A check is judged exactly as the consume it previews.
        var rule = UsageWriteRule.For(operation == UsageOperation.Check ? UsageOperation.Consume : operation, limit);
        if (rule is { Enforce: true, DeniedOutcome: UsageOutcome.FeatureDisabled })
        {
            return (UsageOutcome.FeatureDisabled, used);
        }

        if (used > long.MaxValue - amount)
        {
            throw new InvalidAmountException(amount, $"the counter is at {used} and would exceed {long.MaxValue}.");
        }

        var usedAfter = used + amount;
        return rule.Refuses(usedAfter, limit) ? (rule.DeniedOutcome, used) : (UsageOutcome.Allowed, usedAfter);
    }
}
