using NodaTime.Text;

namespace QuotaKit.AspNetCore;

/// <summary>One feature's line of the usage page served by <see cref="QuotaUsageEndpointRouteBuilderExtensions.MapQuotaUsage"/>.</summary>
/// <param name="Feature">The feature key.</param>
/// <param name="Unit">Its unit (<c>image</c>, <c>second</c>).</param>
/// <param name="Used">Units used in the current period.</param>
/// <param name="Limit">The limit: a number, <c>null</c> when unlimited, 0 when disabled.</param>
/// <param name="Soft">Whether the limit only alerts (never refuses).</param>
/// <param name="Remaining">Units left, the usable credit blocks' included; <c>null</c> when unlimited.</param>
/// <param name="PeriodStart">The start of the current period (ISO 8601, UTC).</param>
/// <param name="ResetsAt">When the counter starts again from zero (ISO 8601, UTC); <c>null</c> for a lifetime period.</param>
public sealed record QuotaUsageItem(
    string Feature, string Unit, long Used, long? Limit, bool Soft, long? Remaining, string PeriodStart, string? ResetsAt)
{
    /// <summary>How many of <see cref="Used"/> the period drew from credit blocks (docs/concepts.md, "Credit blocks").</summary>
    public long BlocksBurned { get; init; }

    /// <summary>The subject's usable credit blocks of the feature, in burn order, each with its remaining balance.</summary>
    public IReadOnlyList<QuotaCreditBlockItem> Blocks { get; init; } = [];

    internal static QuotaUsageItem From(FeatureUsage usage) => new(
        usage.FeatureKey,
        usage.Unit,
        usage.Used,
        usage.Limit.AsNumber,
        usage.Limit.IsSoft,
        usage.Remaining,
        InstantPattern.ExtendedIso.Format(usage.Period.Start),
        usage.Period.End == PeriodPolicy.LifetimeEnd ? null : InstantPattern.ExtendedIso.Format(usage.Period.End))
    {
        BlocksBurned = usage.BlocksBurned,
        Blocks = [.. usage.Blocks.Select(QuotaCreditBlockItem.From)],
    };
}
