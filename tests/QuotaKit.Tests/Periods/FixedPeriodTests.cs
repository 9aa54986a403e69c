using NodaTime;


namespace QuotaKit.Tests.Periods;

public class FixedPeriodTests
{
    private static readonly PeriodPolicy EverySixHours = PeriodPolicy.Fixed(Duration.FromHours(6));

    [Theory]
    [InlineData("2025-02-10T13:00:00Z", "2025-02-10T12:00:00Z", "2025-02-10T18:00:00Z")]
    [InlineData("2025-02-10T18:00:00Z", "2025-02-10T18:00:00Z", "2025-02-11T00:00:00Z")]
    [InlineData("1969-12-31T23:00:00Z", "1969-12-31T18:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("1900-01-01T05:59:59.999999999Z", "1900-01-01T00:00:00Z", "1900-01-01T06:00:00Z")]
    public void Every_six_hours_from_the_unix_epoch(string instant, string start, string end)
    {
        PeriodCalculator.GetPeriod(EverySixHours, PeriodContext.Default, Iso.At(instant))
            .Should().Be(Iso.Period(start, end));
    }

    [Fact]
    public void Every_seven_days_from_a_monday_epoch()
    {
        PeriodPolicy weekly = PeriodPolicy.Fixed(Duration.FromDays(7), Iso.At("2025-01-06T00:00:00Z"));

        PeriodCalculator.GetPeriod(weekly, PeriodContext.Default, Iso.At("2025-01-05T12:00:00Z"))
            .Should().Be(Iso.Period("2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"));
        PeriodCalculator.GetPeriod(weekly, PeriodContext.Default, Iso.At("2025-02-04T00:00:00Z"))
            .Should().Be(Iso.Period("2025-02-03T00:00:00Z", "2025-02-10T00:00:00Z"));
    }

    [Fact]
    public void Works_far_from_the_epoch_where_nanoseconds_overflow_a_long()
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.Fixed(Duration.FromMinutes(30)), PeriodContext.Default, Iso.At("9000-06-01T10:45:00Z"))
            .Should().Be(Iso.Period("9000-06-01T10:30:00Z", "9000-06-01T11:00:00Z"));
    }

    [Fact]
    public void Ignores_time_zones_and_anchors()
    {
        var melbourne = new PeriodContext(TimeZones.Get("Australia/Melbourne"), Iso.At("2025-02-10T17:00:00Z"));

        EverySixHours.InZone("Australia/Melbourne").Should().BeSameAs(EverySixHours);
        PeriodCalculator.GetPeriod(EverySixHours, melbourne, Iso.At("2025-02-10T13:00:00Z"))
            .Should().Be(Iso.Period("2025-02-10T12:00:00Z", "2025-02-10T18:00:00Z"));
    }

    [Fact]
    public void Next_and_previous_are_adjacent()
    {
        UsagePeriod period = Iso.Period("2025-02-10T12:00:00Z", "2025-02-10T18:00:00Z");

        PeriodCalculator.Next(EverySixHours, PeriodContext.Default, period).Should().Be(Iso.Period("2025-02-10T18:00:00Z", "2025-02-11T00:00:00Z"));
        PeriodCalculator.Previous(EverySixHours, PeriodContext.Default, period).Should().Be(Iso.Period("2025-02-10T06:00:00Z", "2025-02-10T12:00:00Z"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Length_must_be_positive(long nanoseconds)
    {
        Action create = () => PeriodPolicy.Fixed(Duration.FromNanoseconds(nanoseconds));

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("length");
    }
}
