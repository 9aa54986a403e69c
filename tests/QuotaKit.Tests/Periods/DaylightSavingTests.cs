using NodaTime;


namespace QuotaKit.Tests.Periods;

/// <summary>Hand-worked DST cases; offsets and transition times are from the zones' published rules.</summary>
public class DaylightSavingTests
{
    private static UsagePeriod PeriodIn(string zone, PeriodPolicy policy, string instant) =>
        PeriodCalculator.GetPeriod(policy, new PeriodContext(TimeZones.Get(zone)), Iso.At(instant));

    [Fact]
    public void Melbourne_day_when_daylight_saving_ends_lasts_25_hours()
    {
        // 2025-04-06 03:00 AEDT (+11) falls back to 02:00 AEST (+10).
        UsagePeriod day = PeriodIn("Australia/Melbourne", PeriodPolicy.Day, "2025-04-06T01:00:00Z");

        day.Should().Be(Iso.Period("2025-04-05T13:00:00Z", "2025-04-06T14:00:00Z"));
        day.Duration.Should().Be(Duration.FromHours(25));
    }

    [Fact]
    public void Melbourne_day_when_daylight_saving_starts_lasts_23_hours()
    {
        // 2025-10-05 02:00 AEST (+10) springs forward to 03:00 AEDT (+11).
        UsagePeriod day = PeriodIn("Australia/Melbourne", PeriodPolicy.Day, "2025-10-05T05:00:00Z");

        day.Should().Be(Iso.Period("2025-10-04T14:00:00Z", "2025-10-05T13:00:00Z"));
        day.Duration.Should().Be(Duration.FromHours(23));
    }

    [Fact]
    public void Sao_Paulo_day_whose_midnight_did_not_exist_starts_after_the_gap()
    {
        // 2018-11-04 00:00 (-03) jumped to 01:00 (-02): the day starts at 01:00 local, 03:00Z.
        PeriodIn("America/Sao_Paulo", PeriodPolicy.Day, "2018-11-04T12:00:00Z")
            .Should().Be(Iso.Period("2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z"));
        PeriodIn("America/Sao_Paulo", PeriodPolicy.Day, "2018-11-04T02:59:59Z")
            .Should().Be(Iso.Period("2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z"));
    }

    [Fact]
    public void Sao_Paulo_day_before_a_midnight_fall_back_lasts_25_hours()
    {
        // 2019-02-17 00:00 (-02) fell back to 2019-02-16 23:00 (-03): local 23:00-24:00 on the 16th happened twice.
        PeriodIn("America/Sao_Paulo", PeriodPolicy.Day, "2019-02-17T02:30:00Z")
            .Should().Be(Iso.Period("2019-02-16T02:00:00Z", "2019-02-17T03:00:00Z"));
    }

    [Fact]
    public void Havana_day_whose_midnight_did_not_exist_starts_at_one()
    {
        // 2025-03-09 00:00 CST (-05) jumped to 01:00 CDT (-04).
        PeriodIn("America/Havana", PeriodPolicy.Day, "2025-03-09T18:00:00Z")
            .Should().Be(Iso.Period("2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z"));
    }

    [Theory]
    [InlineData("2025-11-02T04:30:00Z")] // 00:30 CDT, the first pass
    [InlineData("2025-11-02T05:30:00Z")] // 00:30 CST, the second pass
    public void Havana_day_with_an_ambiguous_midnight_starts_at_the_earlier_midnight(string instant)
    {
        // 2025-11-02 01:00 CDT (-04) fell back to 00:00 CST (-05): local midnight happened twice.
        PeriodIn("America/Havana", PeriodPolicy.Day, instant)
            .Should().Be(Iso.Period("2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z"));
    }

    [Theory]
    [InlineData("2025-11-02T05:30:00Z")] // 01:30 EDT
    [InlineData("2025-11-02T06:30:00Z")] // 01:30 EST
    public void New_York_repeated_hour_is_one_two_hour_period(string instant)
    {
        // 2025-11-02 02:00 EDT (-04) fell back to 01:00 EST (-05).
        PeriodIn("America/New_York", PeriodPolicy.Hour, instant)
            .Should().Be(Iso.Period("2025-11-02T05:00:00Z", "2025-11-02T07:00:00Z"));
    }

    [Fact]
    public void Minutes_of_a_repeated_hour_start_in_the_first_pass()
    {
        // Every local minute boundary 01:00-01:59 resolves to its EDT occurrence, so the second pass has no boundary
        // and the minute that started at 01:59 EDT runs until 02:00 EST.
        PeriodIn("America/New_York", PeriodPolicy.Minute, "2025-11-02T06:30:30Z")
            .Should().Be(Iso.Period("2025-11-02T05:59:00Z", "2025-11-02T07:00:00Z"));
        PeriodIn("America/New_York", PeriodPolicy.Minute, "2025-11-02T05:30:30Z")
            .Should().Be(Iso.Period("2025-11-02T05:30:00Z", "2025-11-02T05:31:00Z"));
    }

    [Fact]
    public void Hour_cut_by_a_half_hour_gap_starts_after_the_gap()
    {
        // Lord Howe Island: 2025-10-05 02:00 (+10:30) jumped to 02:30 (+11); the local hour 02:00-03:00 is 30 minutes long.
        PeriodIn("Australia/Lord_Howe", PeriodPolicy.Hour, "2025-10-04T15:45:00Z")
            .Should().Be(Iso.Period("2025-10-04T15:30:00Z", "2025-10-04T16:00:00Z"));
    }
}
