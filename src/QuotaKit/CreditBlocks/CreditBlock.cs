using NodaTime;

namespace QuotaKit;

/// <summary>
/// A credit block: a balance of units of one feature that a subject can spend once, across periods, after the plan's
/// allowance of the period is used up (docs/concepts.md, "Credit blocks"). Unlike a <see cref="UsageGrant"/>, which
/// raises the limit of every period in its window, a block is spent: what one period burns, the next cannot.
/// </summary>
/// <remarks>
/// Blocks burn in one order, the same in every store (<see cref="BurnOrder"/>): the lowest <see cref="Priority"/> first,
/// then the block that ends first (a block without an end last), then the oldest, then by id. A refund gives units back
/// in the reverse order, to the blocks its period burned.
/// </remarks>
/// <param name="Id">The block's id (time-ordered: <see cref="Guid.CreateVersion7(DateTimeOffset)"/>).</param>
/// <param name="FeatureKey">The feature whose units it holds.</param>
/// <param name="Amount">The units granted; positive.</param>
/// <param name="Burned">The units spent so far; between 0 and <paramref name="Amount"/>.</param>
/// <param name="Priority">Lower burns first; 0 by default.</param>
/// <param name="ValidFrom">The first instant the block can be burned.</param>
/// <param name="ValidUntil">The first instant it can no longer be burned; <c>null</c> when it never ends.</param>
/// <param name="CreatedAt">When it was added.</param>
/// <param name="Reason">Why it was granted (free text, for support and audits); <c>null</c> when not given.</param>
public sealed record CreditBlock(
    Guid Id, string FeatureKey, long Amount, long Burned, int Priority, Instant ValidFrom, Instant? ValidUntil, Instant CreatedAt,
    string? Reason)
{
    /// <summary>Where the block came from: a grant (the default) or a rollover of unused allowance.</summary>
    public CreditBlockSource Source { get; init; } = CreditBlockSource.Grant;

    /// <summary>The longest <see cref="Reason"/> a store keeps, in characters.</summary>
    public const int MaxReasonLength = 256;

    /// <summary>The units left to burn (<see cref="Amount"/> minus <see cref="Burned"/>).</summary>
    public long Remaining => Amount - Burned;

    /// <summary>Whether a write whose usage happens at <paramref name="at"/> can burn this block: inside its half-open
    /// window <c>[ValidFrom, ValidUntil)</c> and not spent.</summary>
    public bool IsUsableAt(Instant at) => ValidFrom <= at && (ValidUntil is not { } until || at < until) && Burned < Amount;

    /// <summary>
    /// The burn order: <see cref="Priority"/> ascending, then <see cref="ValidUntil"/> ascending with blocks that never end
    /// last, then <see cref="CreatedAt"/>, then <see cref="Id"/> in the order PostgreSQL sorts a <c>uuid</c> (its text). The
    /// order is total, so two writers always take blocks in the same order.
    /// </summary>
    public static IComparer<CreditBlock> BurnOrder { get; } = Comparer<CreditBlock>.Create(CompareInBurnOrder);

    private static int CompareInBurnOrder(CreditBlock? x, CreditBlock? y)
    {
        // Stryker disable once Block : equivalent. The same block compares equal field by field too; this only saves the work.
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byPriority = x.Priority.CompareTo(y.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byEnd = (x.ValidUntil, y.ValidUntil) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            var (a, b) => a.Value.CompareTo(b.Value),
        };
        if (byEnd != 0)
        {
            return byEnd;
        }

        var byCreation = x.CreatedAt.CompareTo(y.CreatedAt);
        // Stryker disable once String : equivalent. "D" is the default format of Guid.ToString ("" means the same).
        return byCreation != 0 ? byCreation : string.CompareOrdinal(x.Id.ToString("D"), y.Id.ToString("D"));
    }
}
