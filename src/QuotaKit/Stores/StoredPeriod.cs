using NodaTime;

namespace QuotaKit;

/// <summary>One stored counter, as history reads it.</summary>
/// <param name="Period">The period.</param>
/// <param name="Used">The usage.</param>
/// <param name="LimitValue">The limit's number stored with the period's last write; <c>null</c> when it was unlimited.</param>
/// <param name="LastWriteAt">When the period's usage was last changed (<see cref="UsageWrite.RecordedAt"/> of the last
/// write that applied).</param>
public sealed record StoredPeriod(UsagePeriod Period, long Used, long? LimitValue, Instant LastWriteAt)
{
    /// <summary>How many of <see cref="Used"/> the period burned from credit blocks; 0 for a store without blocks.</summary>
    public long BlocksBurned { get; init; }

    /// <summary>What the period burned from each credit block, in <see cref="CreditBlock.BurnOrder"/>, blocks it gave
    /// everything back to left out. Filled by <see cref="UsageStore.ReadHistoryAsync"/>; empty elsewhere and for a store
    /// without blocks.</summary>
    public IReadOnlyList<CreditBurn> Burns { get; init; } = [];

    /// <summary>Equal when every value is, <see cref="Burns"/> compared item by item (not by reference).</summary>
    /// <param name="other">The period to compare with.</param>
    public bool Equals(StoredPeriod? other) =>
        other is not null
        && Period.Equals(other.Period)
        && Used == other.Used
        && LimitValue == other.LimitValue
        && LastWriteAt == other.LastWriteAt
        && BlocksBurned == other.BlocksBurned
        && Burns.SequenceEqual(other.Burns);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Period, Used, LimitValue, LastWriteAt, BlocksBurned, Burns.Count);
}
