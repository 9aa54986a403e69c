using NodaTime;

namespace QuotaKit;

/// <summary>Calendar-aligned periods (minute to year) whose boundaries are local times in a zone.</summary>
internal sealed class CalendarPeriodPolicy : PeriodPolicy
{
    public CalendarPeriodPolicy(CalendarUnit unit, IsoDayOfWeek firstDayOfWeek = IsoDayOfWeek.Monday, DateTimeZone? timeZone = null)
        : base(timeZone)
    {
        Unit = unit;
        FirstDayOfWeek = firstDayOfWeek;
    }

    public CalendarUnit Unit { get; }

    public IsoDayOfWeek FirstDayOfWeek { get; }

    internal override UsagePeriod GetPeriod(DateTimeZone zone, Instant? anchor, Instant instant)
    {
        LocalDateTime localStart = Truncate(instant.InZone(zone).LocalDateTime);
        Instant start = LocalTimeResolution.ToInstant(zone, localStart);
        LocalDateTime localEnd = Advance(localStart);
        Instant end = LocalTimeResolution.ToInstant(zone, localEnd);

        // Inside a repeated (backward-transition) stretch, later local boundaries resolve to their earlier occurrence,
        // which can lie before the instant; the period then runs on to the first boundary after the instant.
        while (end <= instant)
        {
            start = end;
            localEnd = Advance(localEnd);
            end = LocalTimeResolution.ToInstant(zone, localEnd);
        }

        return new UsagePeriod(start, end);
    }

    public override string ToConfigurationString() => Unit switch
    {
        CalendarUnit.Week when FirstDayOfWeek == IsoDayOfWeek.Monday => "week",
        CalendarUnit.Week => $"week:{FirstDayOfWeek.ToString().ToLowerInvariant()}",
        _ => Unit.ToString().ToLowerInvariant(),
    };

    private protected override PeriodPolicy WithTimeZone(DateTimeZone timeZone) =>
        new CalendarPeriodPolicy(Unit, FirstDayOfWeek, timeZone);

    private protected override string DescribeWithoutZone() =>
        Unit == CalendarUnit.Week ? $"Week({FirstDayOfWeek})" : Unit.ToString();

    private protected override bool HasSameShape(PeriodPolicy other) =>
        other is CalendarPeriodPolicy calendar && calendar.Unit == Unit && calendar.FirstDayOfWeek == FirstDayOfWeek;

    private protected override int ShapeHashCode() => HashCode.Combine(Unit, FirstDayOfWeek);

    private LocalDateTime Truncate(LocalDateTime local) => Unit switch
    {
        CalendarUnit.Minute => new LocalDateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute),
        CalendarUnit.Hour => new LocalDateTime(local.Year, local.Month, local.Day, local.Hour, 0),
        CalendarUnit.Day => local.Date.AtMidnight(),
        CalendarUnit.Week => local.Date.PlusDays(-DaysSinceFirstDayOfWeek(local.Date)).AtMidnight(),
        CalendarUnit.Month => new LocalDateTime(local.Year, local.Month, 1, 0, 0),
        CalendarUnit.Quarter => new LocalDateTime(local.Year, (((local.Month - 1) / 3) * 3) + 1, 1, 0, 0),
        _ => new LocalDateTime(local.Year, 1, 1, 0, 0),
    };

    private LocalDateTime Advance(LocalDateTime boundary) => Unit switch
    {
        CalendarUnit.Minute => boundary.PlusMinutes(1),
        CalendarUnit.Hour => boundary.PlusHours(1),
        CalendarUnit.Day => boundary.PlusDays(1),
        CalendarUnit.Week => boundary.PlusWeeks(1),
        CalendarUnit.Month => boundary.PlusMonths(1),
        CalendarUnit.Quarter => boundary.PlusMonths(3),
        _ => boundary.PlusYears(1),
    };

    private int DaysSinceFirstDayOfWeek(LocalDate date) => ((int)date.DayOfWeek - (int)FirstDayOfWeek + 7) % 7;
}
