namespace QuotaKit.Benchmarks.Load;

/// <summary>One round of one contender in one scenario.</summary>
internal sealed record LoadResult(string Scenario, string Contender, RoundResult Round);

/// <summary>How far one contender went past <see cref="Infrastructure.Workload.Capped"/> on one hot counter.</summary>
/// <param name="Granted">Calls the contender answered "allowed" (the first, row-creating call included).</param>
/// <param name="Stored">The counter's value in the database afterwards (below Granted when updates were lost).</param>
internal sealed record OvershootResult(string Contender, int Concurrency, long Attempts, long Granted, long Stored, long Limit)
{
    public long Overshoot => Math.Max(0, Granted - Limit);

    public long LostUpdates => Granted - Stored;
}
