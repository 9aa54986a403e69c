using NodaTime;

namespace QuotaKit;

/// <summary>
/// What a period calculation needs to know about the subject (user, organisation, tenant) usage belongs to.
/// </summary>
/// <param name="TimeZone">
/// The subject's time zone. When set it wins over the policy's (feature's) zone; when null the policy's zone is used,
/// else UTC.
/// </param>
/// <param name="Anchor">
/// The subject's anchor instant: the subscription start for billing cycles, the trial or grant start for lifetime
/// allowances. Calendar and fixed policies ignore it.
/// </param>
public sealed record PeriodContext(DateTimeZone? TimeZone = null, Instant? Anchor = null)
{
    /// <summary>A context that forces UTC, overriding any zone the policy carries, with no anchor.</summary>
    public static PeriodContext Utc { get; } = new(DateTimeZone.Utc);

    /// <summary>A context with no zone (the policy's zone applies, else UTC) and no anchor.</summary>
    public static PeriodContext Default { get; } = new();
}
