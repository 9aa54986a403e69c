
namespace QuotaKit;

/// <summary>Usage of one feature in one period, for a usage page ("2 of 3 images today").</summary>
public sealed record FeatureUsage(string FeatureKey, string Unit, long Used, FeatureLimit Limit, UsagePeriod Period)
{
    /// <summary>Units left before the limit; <c>null</c> when unlimited; never negative.</summary>
    public long? Remaining => Limit.RemainingAfter(Used);
}
