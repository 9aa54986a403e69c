using NodaTime;

namespace QuotaKit;

/// <summary>
/// How a feature's usage is cut into periods: calendar periods in a time zone, billing cycles from an anchor, a
/// lifetime allowance, or fixed durations from an epoch. Immutable, compared by value. Use
/// <see cref="PeriodCalculator"/> to get the period that contains an instant.
/// </summary>
/// <remarks>
/// Every period is half-open, <c>[start, end)</c>, and the next period starts exactly at <c>end</c>. Calendar
/// boundaries are local times (midnight, the start of an hour or minute) in the resolved zone: a boundary skipped by a
/// DST gap starts at the first valid instant after the gap, and a boundary repeated by a backward transition starts
/// at its earlier occurrence. See docs/periods.md for the rules with worked examples.
/// </remarks>
public abstract class PeriodPolicy : IEquatable<PeriodPolicy>
{
    private protected PeriodPolicy(DateTimeZone? timeZone)
    {
        TimeZone = timeZone;
    }

    /// <summary>Calendar minutes, starting at second 0 of each local minute.</summary>
    public static PeriodPolicy Minute { get; } = new CalendarPeriodPolicy(CalendarUnit.Minute);

    /// <summary>Calendar hours, starting at minute 0 of each local hour (also in zones with half-hour offsets).</summary>
    public static PeriodPolicy Hour { get; } = new CalendarPeriodPolicy(CalendarUnit.Hour);

    /// <summary>Calendar days from local midnight to local midnight: 23 or 25 hours long on DST change days.</summary>
    public static PeriodPolicy Day { get; } = new CalendarPeriodPolicy(CalendarUnit.Day);

    /// <summary>Calendar months, from local midnight on the 1st.</summary>
    public static PeriodPolicy Month { get; } = new CalendarPeriodPolicy(CalendarUnit.Month);

    /// <summary>Calendar quarters, from local midnight on January 1st, April 1st, July 1st and October 1st.</summary>
    public static PeriodPolicy Quarter { get; } = new CalendarPeriodPolicy(CalendarUnit.Quarter);

    /// <summary>Calendar years, from local midnight on January 1st.</summary>
    public static PeriodPolicy Year { get; } = new CalendarPeriodPolicy(CalendarUnit.Year);

    /// <summary>Monthly billing cycles from the subject's anchor: <c>BillingCycle(1)</c>.</summary>
    public static PeriodPolicy MonthlyBillingCycle { get; } = new BillingCyclePeriodPolicy(1);

    /// <summary>Yearly billing cycles from the subject's anchor: <c>BillingCycle(12)</c>.</summary>
    public static PeriodPolicy YearlyBillingCycle { get; } = new BillingCyclePeriodPolicy(12);

    /// <summary>
    /// One period from the subject's anchor (<see cref="PeriodContext.Anchor"/>) that never resets (trial credits),
    /// ending at <see cref="LifetimeEnd"/>.
    /// </summary>
    public static PeriodPolicy Lifetime { get; } = new LifetimePeriodPolicy();

    /// <summary>
    /// The end of every lifetime period: 9999-12-31T00:00:00Z, chosen because it round-trips through PostgreSQL
    /// <c>timestamptz</c> and .NET <see cref="DateTime"/>.
    /// </summary>
    public static Instant LifetimeEnd { get; } = Instant.FromUtc(9999, 12, 31, 0, 0);

    /// <summary>
    /// The zone this policy's calendar boundaries are computed in when the subject has none; null means UTC.
    /// Always null for fixed and lifetime policies, which do not depend on a zone.
    /// </summary>
    public DateTimeZone? TimeZone { get; }

    /// <summary>Calendar weeks from local midnight on <paramref name="firstDay"/> (ISO: Monday).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstDay"/> is not Monday to Sunday.</exception>
    public static PeriodPolicy Week(IsoDayOfWeek firstDay = IsoDayOfWeek.Monday)
    {
        if (firstDay < IsoDayOfWeek.Monday || firstDay > IsoDayOfWeek.Sunday)
        {
            throw new ArgumentOutOfRangeException(nameof(firstDay), firstDay, "The first day of a week must be Monday to Sunday.");
        }

        return new CalendarPeriodPolicy(CalendarUnit.Week, firstDay);
    }

    /// <summary>
    /// Billing cycles of <paramref name="months"/> months from the subject's anchor (<see cref="PeriodContext.Anchor"/>).
    /// Cycle k starts on the anchor's local date plus <c>k * months</c> months, clamped to the month's last day
    /// (an anchor on Jan 31 gives Feb 28/29, then Mar 31), at the anchor's local time of day.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is not 1 to 1200.</exception>
    public static PeriodPolicy BillingCycle(int months) => new BillingCyclePeriodPolicy(months);

    /// <summary>
    /// Periods of exactly <paramref name="length"/> from <paramref name="epoch"/> (default: the Unix epoch):
    /// <c>[epoch + k * length, epoch + (k + 1) * length)</c> for any integer k, negative too. Ignores time zones.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is zero or negative.</exception>
    public static PeriodPolicy Fixed(Duration length, Instant epoch = default) => new FixedPeriodPolicy(length, epoch);

    /// <summary>
    /// Parses a policy from configuration text (case-insensitive): <c>minute</c>, <c>hour</c>, <c>day</c>,
    /// <c>week</c>, <c>week:sunday</c>, <c>month</c>, <c>quarter</c>, <c>year</c>, <c>billing-month</c>,
    /// <c>billing-year</c>, <c>billing:3</c> (every 3 months), <c>lifetime</c>, and <c>every:30s</c>,
    /// <c>every:30m</c>, <c>every:6h</c>, <c>every:7d</c>, optionally followed by <c>@</c> and an ISO epoch
    /// instant (<c>every:7d@2025-01-06T00:00:00Z</c>). The text carries no time zone.
    /// </summary>
    /// <exception cref="QuotaConfigurationException">The text is not a valid policy; the message quotes it.</exception>
    public static PeriodPolicy Parse(string text) => PeriodPolicyText.Parse(text);

    /// <summary>
    /// A copy of this policy computed in <paramref name="ianaId"/> when the subject has no zone of its own.
    /// Fixed and lifetime policies do not depend on a zone and return themselves.
    /// </summary>
    /// <exception cref="UnknownTimeZoneException">The id is not in the tzdb.</exception>
    public PeriodPolicy InZone(string ianaId) => InZone(TimeZones.Get(ianaId));

    /// <summary>
    /// A copy of this policy computed in <paramref name="timeZone"/> when the subject has no zone of its own.
    /// Fixed and lifetime policies do not depend on a zone and return themselves.
    /// </summary>
    public PeriodPolicy InZone(DateTimeZone timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        return WithTimeZone(timeZone);
    }

    /// <summary>
    /// The policy as configuration text that <see cref="Parse"/> reads back (without the time zone), such as
    /// <c>week:sunday</c> or <c>every:6h</c>.
    /// </summary>
    public abstract string ToConfigurationString();

    /// <summary>A readable description such as <c>Day</c>, <c>Week(Sunday) in Australia/Melbourne</c>, <c>Every 6 hours</c>.</summary>
    public string Describe() => TimeZone is null ? DescribeWithoutZone() : $"{DescribeWithoutZone()} in {TimeZone.Id}";

    /// <summary>Same as <see cref="Describe"/>.</summary>
    public override string ToString() => Describe();

    /// <inheritdoc />
    public bool Equals(PeriodPolicy? other) =>
        other is not null
        && other.GetType() == GetType()
        && string.Equals(other.TimeZone?.Id, TimeZone?.Id, StringComparison.Ordinal)
        && HasSameShape(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PeriodPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(GetType(), TimeZone?.Id, ShapeHashCode());

    /// <summary>The period of this policy that contains <paramref name="instant"/>; the zone is already resolved.</summary>
    internal abstract UsagePeriod GetPeriod(DateTimeZone zone, Instant? anchor, Instant instant);

    /// <summary>Whether periods start from the subject's anchor (billing cycles, lifetime) rather than the calendar.</summary>
    internal virtual bool RequiresAnchor => false;

    private protected abstract PeriodPolicy WithTimeZone(DateTimeZone timeZone);

    private protected abstract string DescribeWithoutZone();

    /// <summary>Whether <paramref name="other"/>, of the same type, has the same parameters apart from the zone.</summary>
    private protected abstract bool HasSameShape(PeriodPolicy other);

    private protected abstract int ShapeHashCode();
}
