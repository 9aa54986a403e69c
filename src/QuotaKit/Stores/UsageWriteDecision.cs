namespace QuotaKit;

/// <summary>What <see cref="UsageWrite.Apply"/> decided: the outcome and the counter's value after the write.</summary>
/// <param name="Outcome">Allowed, or why not.</param>
/// <param name="UsedAfter">The counter's value after the write; unchanged when refused.</param>
public readonly record struct UsageWriteDecision(UsageOutcome Outcome, long UsedAfter)
{
    /// <summary>Whether the write changes the counter.</summary>
    public bool Applied => Outcome == UsageOutcome.Allowed;
}
