using NodaTime;

namespace QuotaKit;

/// <summary>
/// Computes the half-open period <c>[start, end)</c> of a <see cref="PeriodPolicy"/> that contains an instant.
/// For every instant t, <c>start &lt;= t &lt; end</c>, and the next period starts exactly at <c>end</c>: periods
/// never overlap and leave no gaps.
/// </summary>
/// <remarks>
/// The zone is the subject's (<see cref="PeriodContext.TimeZone"/>), else the policy's (<see cref="PeriodPolicy.TimeZone"/>),
/// else UTC. A local boundary (midnight, the start of an hour, a billing cycle's local start) skipped by a DST gap
/// starts at the first valid instant after the gap; a boundary that occurs twice (clocks going back) starts at the
/// earlier occurrence, so such a period is longer. A day is 23 or 25 hours long where the zone changes.
/// </remarks>
public static class PeriodCalculator
{
    /// <summary>The period of <paramref name="policy"/> that contains <paramref name="instant"/> for a subject.</summary>
    /// <exception cref="QuotaConfigurationException">A billing cycle or lifetime policy and the context has no anchor.</exception>
    /// <exception cref="PeriodOutOfRangeException">
    /// The instant is before the anchor of a billing cycle or lifetime policy, or at or after <see cref="PeriodPolicy.LifetimeEnd"/>
    /// for a lifetime policy.
    /// </exception>
    public static UsagePeriod GetPeriod(PeriodPolicy policy, PeriodContext context, Instant instant)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(context);
        return GetPeriod(policy, context.TimeZone, context.Anchor, instant);
    }

    /// <summary>Same as the public overload, without a <see cref="PeriodContext"/> to allocate on the hot path.</summary>
    internal static UsagePeriod GetPeriod(PeriodPolicy policy, DateTimeZone? subjectZone, Instant? anchor, Instant instant)
    {
        DateTimeZone zone = subjectZone ?? policy.TimeZone ?? DateTimeZone.Utc;
        return policy.GetPeriod(zone, anchor, instant);
    }

    /// <summary>The period that starts where <paramref name="current"/> ends.</summary>
    /// <exception cref="PeriodOutOfRangeException">A lifetime period has no next period.</exception>
    public static UsagePeriod Next(PeriodPolicy policy, PeriodContext context, UsagePeriod current) =>
        GetPeriod(policy, context, current.End);

    /// <summary>The period that ends where <paramref name="current"/> starts.</summary>
    /// <exception cref="PeriodOutOfRangeException">
    /// <paramref name="current"/> is the first billing cycle or the lifetime period, which start at the anchor.
    /// </exception>
    public static UsagePeriod Previous(PeriodPolicy policy, PeriodContext context, UsagePeriod current) =>
        GetPeriod(policy, context, current.Start - Duration.Epsilon);
}
