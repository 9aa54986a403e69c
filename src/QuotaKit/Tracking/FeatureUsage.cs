namespace QuotaKit;

/// <summary>Usage of one feature in one period, for a usage page ("2 of 3 images today").</summary>
public sealed record FeatureUsage(string FeatureKey, string Unit, long Used, FeatureLimit Limit, UsagePeriod Period)
{
    /// <summary>
    /// Units left: what the plan's allowance leaves (<see cref="Limit"/> minus the plan's part of <see cref="Used"/>) plus
    /// the remaining units of the usable credit <see cref="Blocks"/>. <c>null</c> when unlimited; never negative.
    /// </summary>
    public long? Remaining => Limit.RemainingAfter(Used, BlocksBurned, CreditBalances.RemainingOf(Blocks));

    /// <summary>How many of <see cref="Used"/> the period drew from credit blocks; the plan's allowance covered the rest.</summary>
    public long BlocksBurned { get; init; }

    /// <summary>
    /// The subject's credit blocks of this feature usable at the instant read, in burn order
    /// (<see cref="CreditBlock.BurnOrder"/>), each with its remaining balance. Empty in history and when the store keeps
    /// no blocks.
    /// </summary>
    public IReadOnlyList<CreditBlock> Blocks { get; init; } = [];

    /// <summary>In history: what the period burned from each block. Empty on the usage page.</summary>
    public IReadOnlyList<CreditBurn> Burns { get; init; } = [];

    /// <summary>Equal when every value is, <see cref="Blocks"/> and <see cref="Burns"/> compared item by item (not by
    /// reference, so a usage read twice equals itself).</summary>
    /// <param name="other">The usage to compare with.</param>
    public bool Equals(FeatureUsage? other) =>
        other is not null
        && FeatureKey == other.FeatureKey
        && Unit == other.Unit
        && Used == other.Used
        && EqualityComparer<FeatureLimit>.Default.Equals(Limit, other.Limit)
        && Period.Equals(other.Period)
        && BlocksBurned == other.BlocksBurned
        && Blocks.SequenceEqual(other.Blocks)
        && Burns.SequenceEqual(other.Burns);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(FeatureKey, Unit, Used, Limit, Period, BlocksBurned, Blocks.Count, Burns.Count);
}
