using NodaTime.Text;

namespace QuotaKit.AspNetCore;

/// <summary>One usable credit block on a line of the usage page (<see cref="QuotaUsageItem.Blocks"/>).</summary>
/// <param name="Id">The block's id.</param>
/// <param name="Remaining">Units left in it.</param>
/// <param name="Amount">Units it was granted with.</param>
/// <param name="Priority">Lower burns first.</param>
/// <param name="ValidUntil">When it can no longer be burned (ISO 8601, UTC); <c>null</c> when it never ends.</param>
public sealed record QuotaCreditBlockItem(Guid Id, long Remaining, long Amount, int Priority, string? ValidUntil)
{
    internal static QuotaCreditBlockItem From(CreditBlock block) => new(
        block.Id,
        block.Remaining,
        block.Amount,
        block.Priority,
        block.ValidUntil is { } until ? InstantPattern.ExtendedIso.Format(until) : null);
}
