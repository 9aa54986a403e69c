using NodaTime;


namespace QuotaKit.Tests.Periods;

public class BillingCycleTests
{
    private static PeriodContext AnchoredAt(string anchor, string? zone = null) =>
        new(zone is null ? null : TimeZones.Get(zone), Iso.At(anchor));

    private static List<UsagePeriod> Cycles(PeriodPolicy policy, PeriodContext context, int count)
    {
        var cycles = new List<UsagePeriod> { PeriodCalculator.GetPeriod(policy, context, context.Anchor!.Value) };
        while (cycles.Count < count)
        {
            cycles.Add(PeriodCalculator.Next(policy, context, cycles[^1]));
        }

        return cycles;
    }

    [Fact]
    public void Monthly_cycle_anchored_on_january_31_clamps_to_february_and_returns_to_the_31st()
    {
        Cycles(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2025-01-31T10:00:00Z"), 4).Should().Equal(
            Iso.Period("2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z"),
            Iso.Period("2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z"),
            Iso.Period("2025-03-31T10:00:00Z", "2025-04-30T10:00:00Z"),
            Iso.Period("2025-04-30T10:00:00Z", "2025-05-31T10:00:00Z"));
    }

    [Fact]
    public void Monthly_cycle_in_a_leap_year_lands_on_february_29()
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2024-01-30T00:00:00Z"), Iso.At("2024-03-01T00:00:00Z"))
            .Should().Be(Iso.Period("2024-02-29T00:00:00Z", "2024-03-30T00:00:00Z"));
    }

    [Fact]
    public void Yearly_cycle_anchored_on_february_29()
    {
        Cycles(PeriodPolicy.YearlyBillingCycle, AnchoredAt("2024-02-29T00:00:00Z"), 4).Should().Equal(
            Iso.Period("2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"),
            Iso.Period("2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z"),
            Iso.Period("2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z"),
            Iso.Period("2027-02-28T00:00:00Z", "2028-02-29T00:00:00Z"));
    }

    [Fact]
    public void Quarterly_cycle_counts_every_cycle_from_the_anchor()
    {
        Cycles(PeriodPolicy.BillingCycle(3), AnchoredAt("2024-11-30T08:00:00Z"), 3).Should().Equal(
            Iso.Period("2024-11-30T08:00:00Z", "2025-02-28T08:00:00Z"),
            Iso.Period("2025-02-28T08:00:00Z", "2025-05-30T08:00:00Z"),
            Iso.Period("2025-05-30T08:00:00Z", "2025-08-30T08:00:00Z"));
    }

    [Theory]
    [InlineData("2025-03-15T00:00:00Z", "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z")]
    [InlineData("2025-02-28T10:00:00Z", "2025-02-28T10:00:00Z", "2025-03-31T10:00:00Z")]
    [InlineData("2025-02-28T09:59:59.999999999Z", "2025-01-31T10:00:00Z", "2025-02-28T10:00:00Z")]
    [InlineData("2035-07-31T10:00:00Z", "2035-07-31T10:00:00Z", "2035-08-31T10:00:00Z")]
    public void Finds_the_cycle_that_contains_an_instant(string instant, string start, string end)
    {
        PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2025-01-31T10:00:00Z"), Iso.At(instant))
            .Should().Be(Iso.Period(start, end));
    }

    [Fact]
    public void Keeps_the_anchor_local_time_of_day_across_daylight_saving()
    {
        // 09:00 in Melbourne is 22:00Z the day before under AEDT (+11) and 23:00Z under AEST (+10).
        Cycles(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2025-03-14T22:00:00Z", "Australia/Melbourne"), 2).Should().Equal(
            Iso.Period("2025-03-14T22:00:00Z", "2025-04-14T23:00:00Z"),
            Iso.Period("2025-04-14T23:00:00Z", "2025-05-14T23:00:00Z"));
    }

    [Fact]
    public void A_cycle_start_in_a_dst_gap_starts_after_the_gap()
    {
        // Anchor 01:30 GMT on Jan 31. London skipped 01:00-02:00 on 2019-03-31, so that cycle starts at 02:00 BST.
        Cycles(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2019-01-31T01:30:00Z", "Europe/London"), 3).Should().Equal(
            Iso.Period("2019-01-31T01:30:00Z", "2019-02-28T01:30:00Z"),
            Iso.Period("2019-02-28T01:30:00Z", "2019-03-31T01:00:00Z"),
            Iso.Period("2019-03-31T01:00:00Z", "2019-04-30T00:30:00Z"));
    }

    [Fact]
    public void A_cycle_start_in_a_repeated_hour_starts_at_the_earlier_occurrence()
    {
        // Anchor 01:30 BST on Sep 28. London repeated 01:00-02:00 on 2018-10-28: that cycle starts at 01:30 BST.
        Cycles(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2018-09-28T00:30:00Z", "Europe/London"), 2).Should().Equal(
            Iso.Period("2018-09-28T00:30:00Z", "2018-10-28T00:30:00Z"),
            Iso.Period("2018-10-28T00:30:00Z", "2018-11-28T01:30:00Z"));
    }

    [Fact]
    public void The_first_cycle_starts_exactly_at_an_anchor_in_the_second_pass_of_a_repeated_hour()
    {
        // 01:30Z on 2018-10-28 is 01:30 GMT, the second 01:30 in London that night.
        PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2018-10-28T01:30:00Z", "Europe/London"), Iso.At("2018-10-28T01:30:00Z"))
            .Should().Be(Iso.Period("2018-10-28T01:30:00Z", "2018-11-28T01:30:00Z"));
    }

    [Fact]
    public void The_subject_zone_wins_over_the_policy_zone()
    {
        PeriodPolicy policy = PeriodPolicy.MonthlyBillingCycle.InZone("Australia/Melbourne");
        Instant anchor = Iso.At("2025-01-31T23:30:00Z"); // 23:30 on Jan 31 in UTC, 10:30 on Feb 1 in Melbourne
        Instant midMay = Iso.At("2025-05-15T00:00:00Z");

        PeriodCalculator.GetPeriod(policy, new PeriodContext(DateTimeZone.Utc, anchor), midMay)
            .Should().Be(Iso.Period("2025-04-30T23:30:00Z", "2025-05-31T23:30:00Z"));

        // 10:30 AEST (+10) on May 1 and June 1.
        PeriodCalculator.GetPeriod(policy, new PeriodContext(Anchor: anchor), midMay)
            .Should().Be(Iso.Period("2025-05-01T00:30:00Z", "2025-06-01T00:30:00Z"));
    }

    [Fact]
    public void An_instant_before_the_anchor_is_out_of_range()
    {
        Action before = () => PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, AnchoredAt("2025-01-31T10:00:00Z"), Iso.At("2025-01-31T09:59:59Z"));

        before.Should().Throw<PeriodOutOfRangeException>().WithMessage("*2025-01-31T09:59:59Z*2025-01-31T10:00:00Z*");
    }

    [Fact]
    public void The_first_cycle_has_no_previous_cycle()
    {
        PeriodContext context = AnchoredAt("2025-01-31T10:00:00Z");
        UsagePeriod first = PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, context, context.Anchor!.Value);

        Action previous = () => PeriodCalculator.Previous(PeriodPolicy.MonthlyBillingCycle, context, first);

        previous.Should().Throw<PeriodOutOfRangeException>();
    }

    [Fact]
    public void A_missing_anchor_is_a_configuration_error()
    {
        Action withoutAnchor = () => PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, PeriodContext.Default, Iso.At("2025-01-31T10:00:00Z"));

        withoutAnchor.Should().Throw<QuotaConfigurationException>().WithMessage("*BillingCycle(1 month)*anchor*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1201)]
    public void Months_must_be_from_1_to_1200(int months)
    {
        Action create = () => PeriodPolicy.BillingCycle(months);

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("months");
    }
}
