using NodaTime;

namespace QuotaKit;

/// <summary>Extra units of one feature for one subject, added to the limit of periods containing the usage instant
/// while <c>[ValidFrom, ValidUntil)</c> contains it.</summary>
public sealed record UsageGrant(string FeatureKey, long Amount, Instant ValidFrom, Instant ValidUntil, string? Reason = null)
{
    /// <summary>Whether the grant counts at <paramref name="instant"/>.</summary>
    public bool IsValidAt(Instant instant) => ValidFrom <= instant && instant < ValidUntil;
}
