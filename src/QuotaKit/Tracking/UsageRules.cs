namespace QuotaKit;

/// <summary>
/// What an operation does to a counter: the rules every store applies (the PostgreSQL store in SQL,
/// <c>quotakit.record_usage</c>; others through <see cref="UsageWrite.Apply(long)"/>), and every check.
/// </summary>
internal static class UsageRules
{
    /// <summary>Whether the limit can refuse the operation, and with which outcome.</summary>
    public static (bool Enforce, UsageOutcome DeniedOutcome) WriteRule(UsageOperation operation, FeatureLimit limit)
    {
        if (limit.Kind == LimitKind.Disabled)
        {
            // Nothing may be consumed or metered on a disabled feature; refunds and gauges still record.
            return (operation is UsageOperation.Consume or UsageOperation.Increment, UsageOutcome.FeatureDisabled);
        }

        var hardLimited = limit is { Kind: LimitKind.Limited, IsSoft: false };
        return (operation == UsageOperation.Consume && hardLimited, UsageOutcome.LimitExceeded);
    }

    /// <summary>
    /// What a check answers for consuming <paramref name="amount"/> on a counter at <paramref name="used"/>: exactly what
    /// the consume would decide, and <see cref="UsageOutcome.LimitExceeded"/> where the consume would be refused because
    /// the counter cannot hold the sum. A check always answers. Without blocks (both 0) the consume's rule is
    /// <see cref="Decide"/>'s, which <see cref="DecideWithBlocks"/> then gives exactly.
    /// </summary>
    public static UsageOutcome Preview(long used, long amount, FeatureLimit limit, long blocksBurned = 0, long blocksAvailable = 0)
    {
        try
        {
            return DecideWithBlocks(UsageOperation.Consume, used, amount, limit, blocksBurned, blocksAvailable).Outcome;
        }
        catch (InvalidAmountException)
        {
            return UsageOutcome.LimitExceeded;
        }
    }

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

        // Refusal is decided before the sum is formed, so a counter near long.MaxValue still answers "limit exceeded";
        // an enforced limit is a number (a disabled feature's is 0), and limit - amount cannot overflow.
        var (enforce, deniedOutcome) = WriteRule(operation, limit);
        if (enforce && used > limit.AsNumber.GetValueOrDefault() - amount)
        {
            return (deniedOutcome, used);
        }

        if (used > long.MaxValue - amount)
        {
            throw new InvalidAmountException(amount, $"the counter is at {used} and would exceed {long.MaxValue}. Nothing was written; refund units or wait for the next period.");
        }

        return (UsageOutcome.Allowed, used + amount);
    }

    /// <summary>
    /// <see cref="Decide"/> for a counter whose period has burned <paramref name="blocksBurned"/> of its
    /// <paramref name="used"/> units from credit blocks, with <paramref name="blocksAvailable"/> units left in the blocks
    /// usable at the write's instant. The plan's allowance is spent first: only the part of a consume or increment past
    /// <c>limit - (used - blocksBurned)</c> burns blocks. A hard limit refuses a consume that the plan and the blocks
    /// together cannot cover, and burns nothing; otherwise the blocks cover what they can and the rest goes over the
    /// plan's limit, as without blocks. Blocks never enable a disabled feature and are never burned under an unlimited
    /// one. A refund gives back to the blocks first, up to what the period burned.
    /// </summary>
    /// <exception cref="InvalidAmountException">The counter would exceed <see cref="long.MaxValue"/>.</exception>
    public static UsageWriteDecision DecideWithBlocks(
        UsageOperation operation, long used, long amount, FeatureLimit limit, long blocksBurned, long blocksAvailable)
    {
        if (operation == UsageOperation.Refund)
        {
            return new UsageWriteDecision(UsageOutcome.Allowed, Math.Max(0, used - amount)) { ReturnToBlocks = Math.Min(amount, blocksBurned) };
        }

        var planUsed = Math.Max(used - blocksBurned, 0);
        if (operation is not (UsageOperation.Consume or UsageOperation.Increment) || limit.Kind != LimitKind.Limited)
        {
            var (plain, after) = Decide(operation, used, amount, limit);
            return new UsageWriteDecision(plain, after);
        }

        var need = BeyondPlan(planUsed, amount, limit.Value);
        var (enforce, deniedOutcome) = WriteRule(operation, limit);
        if (enforce && need > blocksAvailable)
        {
            return new UsageWriteDecision(deniedOutcome, used);
        }

        if (used > long.MaxValue - amount)
        {
            throw new InvalidAmountException(amount, $"the counter is at {used} and would exceed {long.MaxValue}. Nothing was written; refund units or wait for the next period.");
        }

        return new UsageWriteDecision(UsageOutcome.Allowed, used + amount) { BurnFromBlocks = Math.Min(need, blocksAvailable) };
    }

    /// <summary>The part of <paramref name="amount"/> the plan's allowance (<paramref name="limit"/>, of which
    /// <paramref name="planUsed"/> is used) cannot cover; 0 when it fits. Written without a sum that could overflow.</summary>
    public static long BeyondPlan(long planUsed, long amount, long limit)
    {
        // Stryker disable once Equality : equivalent. At planUsed == limit both branches leave 0.
        var planLeft = planUsed >= limit ? 0 : limit - planUsed;

        // Stryker disable once Equality : equivalent. At amount == planLeft both branches need 0.
        return amount > planLeft ? amount - planLeft : 0;
    }
}
