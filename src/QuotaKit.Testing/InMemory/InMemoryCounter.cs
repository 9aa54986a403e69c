using NodaTime;

namespace QuotaKit.Testing;

/// <summary>The in-memory counterpart of a <c>usage_counters</c> row. Mutated only under the store's lock.</summary>
internal sealed class InMemoryCounter
{
    public InMemoryCounter(UsagePeriod period)
    {
        Period = period;
    }

    /// <summary>The period; its end moves when the subject's schedule changes while it is open (see <see cref="UsageStore.WriteAsync"/>).</summary>
    public UsagePeriod Period { get; set; }

    public long Used { get; set; }

    /// <summary>The limit in force at the last write; <c>null</c> when unlimited.</summary>
    public long? LimitValue { get; set; }

    /// <summary>The highest alert threshold already reported in this period; 0 when none.</summary>
    public int AlertedPercent { get; set; }

    /// <summary>When the usage was last changed (the clock's instant of the last write that applied).</summary>
    public Instant LastWriteAt { get; set; }

    /// <summary>What the period burned from credit blocks, block by block, net of what it gave back.</summary>
    public InMemoryCreditBurns Burns { get; private set; } = new();

    /// <summary>How many of <see cref="Used"/> the period drew from credit blocks.</summary>
    public long BlocksBurned => Burns.Total;

    /// <summary>Starts the period's burns afresh (a reset at the period's start); the blocks keep what was burned.</summary>
    public void ForgetBurns() => Burns = new();

    /// <summary>The stored period; with its burns per block when <paramref name="withBurns"/> (history).</summary>
    public StoredPeriod ToStoredPeriod(bool withBurns = false) =>
        new(Period, Used, LimitValue, LastWriteAt) { BlocksBurned = BlocksBurned, Burns = withBurns ? Burns.ToList() : [] };
}
