
namespace QuotaKit.Tests.Periods;

public class LifetimePeriodTests
{
    private static readonly PeriodContext TrialFromJanuary = new(Anchor: Iso.At("2025-01-15T09:00:00Z"));
    private static readonly UsagePeriod WholeLifetime = Iso.Period("2025-01-15T09:00:00Z", "9999-12-31T00:00:00Z");

    [Theory]
    [InlineData("2025-01-15T09:00:00Z")]
    [InlineData("2031-06-01T00:00:00Z")]
    [InlineData("9999-12-30T23:59:59Z")]
    public void Runs_from_the_anchor_to_the_end_of_9999(string instant)
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.Lifetime, TrialFromJanuary, Iso.At(instant)).Should().Be(WholeLifetime);
        PeriodPolicy.LifetimeEnd.Should().Be(Iso.At("9999-12-31T00:00:00Z"));
    }

    [Fact]
    public void Lifetime_end_round_trips_through_datetime()
    {
        NodaTime.Instant.FromDateTimeUtc(PeriodPolicy.LifetimeEnd.ToDateTimeUtc()).Should().Be(PeriodPolicy.LifetimeEnd);
    }

    [Theory]
    [InlineData("2025-01-15T08:59:59Z")]
    [InlineData("9999-12-31T00:00:00Z")]
    public void Instants_outside_the_lifetime_are_out_of_range(string instant)
    {
        Action get = () => PeriodCalculator.GetPeriod(PeriodPolicy.Lifetime, TrialFromJanuary, Iso.At(instant));

        get.Should().Throw<PeriodOutOfRangeException>().WithMessage($"*{instant}*");
    }

    [Fact]
    public void There_is_no_next_or_previous_lifetime()
    {
        Action next = () => PeriodCalculator.Next(PeriodPolicy.Lifetime, TrialFromJanuary, WholeLifetime);
        Action previous = () => PeriodCalculator.Previous(PeriodPolicy.Lifetime, TrialFromJanuary, WholeLifetime);

        next.Should().Throw<PeriodOutOfRangeException>();
        previous.Should().Throw<PeriodOutOfRangeException>();
    }

    [Fact]
    public void A_missing_anchor_is_a_configuration_error()
    {
        Action get = () => PeriodCalculator.GetPeriod(PeriodPolicy.Lifetime, PeriodContext.Utc, Iso.At("2025-01-15T09:00:00Z"));

        get.Should().Throw<QuotaConfigurationException>().WithMessage("*Lifetime*anchor*");
    }

    [Fact]
    public void Ignores_time_zones()
    {
        PeriodPolicy.Lifetime.InZone("Asia/Tokyo").Should().BeSameAs(PeriodPolicy.Lifetime);
        PeriodCalculator.GetPeriod(PeriodPolicy.Lifetime, TrialFromJanuary with { TimeZone = TimeZones.Get("Asia/Tokyo") }, Iso.At("2026-01-01T00:00:00Z"))
            .Should().Be(WholeLifetime);
    }
}
