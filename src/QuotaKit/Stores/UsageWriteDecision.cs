namespace QuotaKit;

/// <summary>What <see cref="UsageWrite.Apply(long)"/> decided: the outcome and the counter's value after the write.</summary>
/// <param name="Outcome">Allowed, or why not.</param>
/// <param name="UsedAfter">The counter's value after the write; unchanged when refused.</param>
public readonly record struct UsageWriteDecision(UsageOutcome Outcome, long UsedAfter)
{
    /// <summary>
    /// Units this write burns from the subject's usable credit blocks, in <see cref="CreditBlock.BurnOrder"/>: the part of a
    /// consume or increment the plan's allowance left in the period cannot cover. 0 when the plan covers it, when it is
    /// refused, and for every other operation.
    /// </summary>
    public long BurnFromBlocks { get; init; }

    /// <summary>
    /// Units this write gives back to the credit blocks its period burned, the last burned first (the reverse of
    /// <see cref="CreditBlock.BurnOrder"/>): a refund, a released or expired hold, or a commit of fewer units than held,
    /// gives back to the blocks before the plan. 0 otherwise.
    /// </summary>
    public long ReturnToBlocks { get; init; }

    /// <summary>Whether the write changes the counter.</summary>
    public bool Applied => Outcome == UsageOutcome.Allowed;
}
