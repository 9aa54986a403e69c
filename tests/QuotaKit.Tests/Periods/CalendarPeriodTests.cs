using NodaTime;


namespace QuotaKit.Tests.Periods;

public class CalendarPeriodTests
{
    private static readonly Instant NewYearsDayNoon = Iso.At("2025-01-01T12:00:00Z"); // a Wednesday

    public static TheoryData<string, string, string, string> UtcPeriods => new()
    {
        { "minute", "2025-02-10T13:45:30Z", "2025-02-10T13:45:00Z", "2025-02-10T13:46:00Z" },
        { "hour", "2025-02-10T13:45:30Z", "2025-02-10T13:00:00Z", "2025-02-10T14:00:00Z" },
        { "day", "2025-02-10T13:45:30Z", "2025-02-10T00:00:00Z", "2025-02-11T00:00:00Z" },
        { "month", "2024-02-10T13:45:30Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z" },
        { "month", "2024-12-31T23:59:59Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z" },
        { "quarter", "2025-05-15T00:00:00Z", "2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z" },
        { "quarter", "2025-12-31T23:00:00Z", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z" },
        { "year", "2025-05-15T00:00:00Z", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z" },
        { "day", "2025-02-10T00:00:00Z", "2025-02-10T00:00:00Z", "2025-02-11T00:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(UtcPeriods))]
    public void Calendar_periods_in_utc(string policy, string instant, string start, string end)
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.Parse(policy), PeriodContext.Default, Iso.At(instant))
            .Should().Be(Iso.Period(start, end));
    }

    [Theory]
    [InlineData(IsoDayOfWeek.Monday, "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z")]
    [InlineData(IsoDayOfWeek.Sunday, "2024-12-29T00:00:00Z", "2025-01-05T00:00:00Z")]
    [InlineData(IsoDayOfWeek.Wednesday, "2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z")]
    [InlineData(IsoDayOfWeek.Thursday, "2024-12-26T00:00:00Z", "2025-01-02T00:00:00Z")]
    public void Weeks_start_on_the_configured_day(IsoDayOfWeek firstDay, string start, string end)
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.Week(firstDay), PeriodContext.Default, NewYearsDayNoon)
            .Should().Be(Iso.Period(start, end));
    }

    [Fact]
    public void Week_defaults_to_iso_monday()
    {
        PeriodPolicy.Week().Should().Be(PeriodPolicy.Week(IsoDayOfWeek.Monday));
    }

    [Fact]
    public void The_subject_zone_wins_over_the_policy_zone_which_wins_over_utc()
    {
        PeriodPolicy melbourneDay = PeriodPolicy.Day.InZone("Australia/Melbourne");
        var parisSubject = new PeriodContext(TimeZones.Get("Europe/Paris"));

        // 12:00Z is 23:00 in Melbourne (+11) and 13:00 in Paris (+1).
        PeriodCalculator.GetPeriod(melbourneDay, parisSubject, NewYearsDayNoon)
            .Should().Be(Iso.Period("2024-12-31T23:00:00Z", "2025-01-01T23:00:00Z"));
        PeriodCalculator.GetPeriod(melbourneDay, PeriodContext.Default, NewYearsDayNoon)
            .Should().Be(Iso.Period("2024-12-31T13:00:00Z", "2025-01-01T13:00:00Z"));
        PeriodCalculator.GetPeriod(melbourneDay, PeriodContext.Utc, NewYearsDayNoon)
            .Should().Be(Iso.Period("2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"));
    }

    [Fact]
    public void Hours_are_local_hours_in_zones_with_half_hour_offsets()
    {
        // Kolkata is +05:30: 00:10Z is 05:40 local, in the local hour 05:00-06:00.
        PeriodCalculator.GetPeriod(PeriodPolicy.Hour.InZone("Asia/Kolkata"), PeriodContext.Default, Iso.At("2025-01-01T00:10:00Z"))
            .Should().Be(Iso.Period("2024-12-31T23:30:00Z", "2025-01-01T00:30:00Z"));
    }

    [Fact]
    public void Next_and_previous_are_the_adjacent_periods()
    {
        UsagePeriod february = PeriodCalculator.GetPeriod(PeriodPolicy.Month, PeriodContext.Default, Iso.At("2024-02-10T00:00:00Z"));

        PeriodCalculator.Next(PeriodPolicy.Month, PeriodContext.Default, february)
            .Should().Be(Iso.Period("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"));
        PeriodCalculator.Previous(PeriodPolicy.Month, PeriodContext.Default, february)
            .Should().Be(Iso.Period("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"));
    }
}
