using NodaTime;


namespace QuotaKit.Tests.Periods;

public class UsagePeriodTests
{
    private static readonly UsagePeriod February10 = Iso.Period("2025-02-10T13:00:00Z", "2025-02-11T13:00:00Z");

    [Fact]
    public void Start_is_inside_and_end_is_outside()
    {
        February10.Contains(Iso.At("2025-02-10T13:00:00Z")).Should().BeTrue();
        February10.Contains(Iso.At("2025-02-11T12:59:59.999999999Z")).Should().BeTrue();
        February10.Contains(Iso.At("2025-02-11T13:00:00Z")).Should().BeFalse();
        February10.Contains(Iso.At("2025-02-10T12:59:59.999999999Z")).Should().BeFalse();
    }

    [Fact]
    public void Duration_is_end_minus_start()
    {
        February10.Duration.Should().Be(Duration.FromHours(24));
    }

    [Theory]
    [InlineData("2025-02-10T13:00:00Z", "2025-02-10T13:00:00Z")]
    [InlineData("2025-02-10T13:00:00Z", "2025-02-10T12:00:00Z")]
    public void End_must_be_after_start(string start, string end)
    {
        Action create = () => _ = new UsagePeriod(Iso.At(start), Iso.At(end));

        create.Should().Throw<ArgumentException>().WithParameterName("end").WithMessage($"*{start}*{end}*");
    }

    [Fact]
    public void Periods_with_the_same_bounds_are_equal()
    {
        UsagePeriod same = Iso.Period("2025-02-10T13:00:00Z", "2025-02-11T13:00:00Z");
        UsagePeriod later = Iso.Period("2025-02-10T13:00:00Z", "2025-02-11T14:00:00Z");

        (same == February10).Should().BeTrue();
        same.GetHashCode().Should().Be(February10.GetHashCode());
        (later != February10).Should().BeTrue();
        February10.Equals((object)same).Should().BeTrue();
    }

    [Fact]
    public void ToString_shows_a_half_open_interval()
    {
        February10.ToString().Should().Be("[2025-02-10T13:00:00Z, 2025-02-11T13:00:00Z)");
        Iso.Period("2025-02-10T13:00:00.5Z", "2025-02-10T13:00:01Z").ToString()
            .Should().Be("[2025-02-10T13:00:00.5Z, 2025-02-10T13:00:01Z)");
    }
}
