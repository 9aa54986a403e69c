using NodaTime;

namespace QuotaKit.Tests.Features;

// Rollover (docs/concepts.md, "### Rollover"): the rule's arithmetic, the write's share of it, the block's end and the
// configuration problems. The stores' part is in the behaviour tests (UsageTrackerBehaviour.Rollover.cs).
public class RolloverTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 11, 9, 0);

    private static readonly UsagePeriod Tuesday = new(Instant.FromUtc(2025, 3, 11, 0, 0), Instant.FromUtc(2025, 3, 12, 0, 0));

    private static readonly UsagePeriod Monday = new(Instant.FromUtc(2025, 3, 10, 0, 0), Tuesday.Start);

    [Theory]
    [InlineData(null, 7L, 7L)]
    [InlineData(null, 0L, 0L)]
    [InlineData(null, -3L, 0L)]
    [InlineData(5L, 7L, 5L)]
    [InlineData(5L, 5L, 5L)]
    [InlineData(5L, 4L, 4L)]
    [InlineData(0L, 7L, 0L)]
    [InlineData(5L, -1L, 0L)]
    [InlineData(null, long.MaxValue, long.MaxValue)]
    public void The_rule_carries_the_unused_units_at_most_the_cap_and_never_less_than_nothing(long? cap, long unused, long carried)
    {
        new RolloverRule(cap, 1).CarriedFrom(unused).Should().Be(carried);
    }

    [Fact]
    public void RollsOver_sets_the_rule_with_one_period_and_no_cap_by_default()
    {
        new FeatureDefinition("minutes", PeriodPolicy.Day).RollsOver().Rollover.Should().Be(new RolloverRule(null, 1));
        new FeatureDefinition("minutes", PeriodPolicy.Day).RollsOver(100, 2).Rollover.Should().Be(new RolloverRule(100, 2));
        new FeatureDefinition("minutes", PeriodPolicy.Day).Rollover.Should().BeNull();
    }

    [Theory]
    [InlineData(10L, 3L, 0L, null, 7L)]   // 7 unused
    [InlineData(10L, 12L, 2L, null, 0L)]  // the plan's part is 10: nothing unused
    [InlineData(20L, 13L, 2L, null, 9L)]  // units burned from blocks are not the plan's: 20 - (13 - 2)
    [InlineData(20L, 13L, 2L, 5L, 5L)]    // capped
    [InlineData(10L, 0L, 0L, null, 10L)]  // an empty counter left everything
    [InlineData(10L, 1L, 3L, null, 10L)]  // the plan's part is never below 0
    [InlineData(0L, 0L, 0L, null, 0L)]    // a limit of 0 has nothing to carry
    public void A_write_carries_the_plans_allowance_its_previous_period_left_unused(
        long limit, long used, long blocksBurned, long? cap, long carried)
    {
        var write = Write(new RolloverRule(cap, 1), Tuesday.End);

        write.CarriedFrom(Previous(limit, used, blocksBurned)).Should().Be(carried);
    }

    [Fact]
    public void A_write_carries_nothing_from_an_unlimited_period()
    {
        Write(new RolloverRule(null, 1), Tuesday.End).CarriedFrom(Previous(null, 3, 0)).Should().Be(0);
    }

    [Fact]
    public void A_write_without_a_rollover_end_carries_nothing_even_when_its_feature_rolls_over()
    {
        // The tracker leaves RolloverValidUntil null for stores without credit blocks: then the write has no rule.
        var write = Write(new RolloverRule(null, 1), rolloverValidUntil: null);

        (write.Rollover, write.RolloverValidUntil).Should().Be(((RolloverRule?)null, (Instant?)null));
        write.CarriedFrom(Previous(10, 3, 0)).Should().Be(0);
    }

    [Fact]
    public void A_write_of_a_feature_that_does_not_roll_over_carries_nothing()
    {
        var write = Write(rule: null, Tuesday.End);

        write.Rollover.Should().BeNull();
        write.CarriedFrom(Previous(10, 3, 0)).Should().Be(0);
    }

    [Fact]
    public void A_write_keeps_the_rule_and_the_end_it_was_given()
    {
        var write = Write(new RolloverRule(5, 2), Instant.FromUtc(2025, 3, 13, 0, 0));

        (write.Rollover, write.RolloverValidUntil).Should().Be(((RolloverRule?)new RolloverRule(5, 2), (Instant?)Instant.FromUtc(2025, 3, 13, 0, 0)));
    }

    [Theory]
    [InlineData(1, 2025, 5, 1)]
    [InlineData(2, 2025, 6, 1)]
    [InlineData(3, 2025, 7, 1)]
    public void A_monthly_rollover_ends_with_the_period_periods_minus_one_after_the_new_one(int periods, int year, int month, int day)
    {
        var feature = new FeatureDefinition("minutes", PeriodPolicy.Month).RollsOver(null, periods);
        var april = new UsagePeriod(Instant.FromUtc(2025, 4, 1, 0, 0), Instant.FromUtc(2025, 5, 1, 0, 0));

        QuotaKitRuntime.RolloverValidUntil(feature, SubjectContext.Default, april).Should().Be(Instant.FromUtc(year, month, day, 0, 0));
    }

    [Fact]
    public void A_rollover_follows_the_subjects_zone()
    {
        // Melbourne days (UTC+11 in March 2025): the local 11th is [10T13:00Z, 11T13:00Z); 3 days end on the 14th local.
        var feature = new FeatureDefinition("minutes", PeriodPolicy.Day).RollsOver(null, 3);
        var subject = SubjectContext.Default with { TimeZone = DateTimeZoneProviders.Tzdb["Australia/Melbourne"] };
        var eleventh = new UsagePeriod(Instant.FromUtc(2025, 3, 10, 13, 0), Instant.FromUtc(2025, 3, 11, 13, 0));

        QuotaKitRuntime.RolloverValidUntil(feature, subject, eleventh).Should().Be(Instant.FromUtc(2025, 3, 13, 13, 0));
    }

    [Theory]
    [InlineData(1, 9999, 11, 1)]
    [InlineData(2, 9999, 12, 1)]
    [InlineData(3, 9999, 12, 31)] // December 9999 ends past the supported instants: the block lasts to the last one
    [InlineData(40, 9999, 12, 31)]
    public void A_monthly_rollover_near_the_end_of_the_supported_range_ends_there_at_the_latest(int periods, int year, int month, int day)
    {
        var feature = new FeatureDefinition("minutes", PeriodPolicy.Month).RollsOver(null, periods);
        var october = new UsagePeriod(Instant.FromUtc(9999, 10, 1, 0, 0), Instant.FromUtc(9999, 11, 1, 0, 0));

        QuotaKitRuntime.RolloverValidUntil(feature, SubjectContext.Default, october).Should().Be(Instant.FromUtc(year, month, day, 0, 0));
    }

    [Fact]
    public void A_feature_that_does_not_roll_over_has_no_rollover_end()
    {
        QuotaKitRuntime.RolloverValidUntil(new FeatureDefinition("minutes", PeriodPolicy.Month), SubjectContext.Default, Tuesday)
            .Should().BeNull();
    }

    [Fact]
    public void A_valid_rollover_is_no_problem()
    {
        var options = Options(new FeatureDefinition("minutes", PeriodPolicy.Month).RollsOver(0, 1));
        options.Features["other"] = new FeatureDefinition("other", PeriodPolicy.Day).RollsOver(null, 12);

        QuotaKitOptionsValidator.FindProblems(options).Should().BeEmpty();
    }

    [Fact]
    public void A_negative_cap_is_a_problem()
    {
        QuotaKitOptionsValidator.FindProblems(Options(new FeatureDefinition("minutes", PeriodPolicy.Month).RollsOver(-1, 1)))
            .Should().ContainSingle().Which.Should().Be("Feature 'minutes' rolls over a negative cap (-1); use 0 or more, or null for all unused units.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Fewer_than_one_period_is_a_problem(int periods)
    {
        QuotaKitOptionsValidator.FindProblems(Options(new FeatureDefinition("minutes", PeriodPolicy.Month).RollsOver(null, periods)))
            .Should().ContainSingle().Which.Should().Be($"Feature 'minutes' rolls over for {periods} periods; use 1 or more.");
    }

    [Theory]
    [InlineData(FeatureAggregation.Last)]
    [InlineData(FeatureAggregation.Max)]
    public void A_gauge_that_rolls_over_is_a_problem(FeatureAggregation aggregation)
    {
        var gauge = new FeatureDefinition("minutes", PeriodPolicy.Month) { Aggregation = aggregation }.RollsOver(null, 1);

        QuotaKitOptionsValidator.FindProblems(Options(gauge)).Should().ContainSingle().Which.Should().Contain("is a gauge").And.Contain("cannot roll over");
    }

    [Fact]
    public void A_lifetime_feature_that_rolls_over_is_a_problem()
    {
        QuotaKitOptionsValidator.FindProblems(Options(new FeatureDefinition("minutes", PeriodPolicy.Lifetime).RollsOver(null, 1)))
            .Should().ContainSingle().Which.Should().Be("Feature 'minutes' has a lifetime period and cannot roll over: it has no next period.");
    }

    [Fact]
    public void Every_rollover_problem_of_a_feature_is_reported()
    {
        var feature = new FeatureDefinition("minutes", PeriodPolicy.Lifetime) { Aggregation = FeatureAggregation.Last }.RollsOver(-1, 0);

        QuotaKitOptionsValidator.FindProblems(Options(feature)).Should().HaveCount(4);
    }

    private static QuotaKitOptions Options(FeatureDefinition feature)
    {
        var options = new QuotaKitOptions { DefaultPlan = "free" };
        options.Features[feature.Key] = feature;
        options.Plans["free"] = new PlanDefinition("free");
        return options;
    }

    private static StoredPeriod Previous(long? limit, long used, long blocksBurned) =>
        new(Monday, used, limit, Monday.Start) { BlocksBurned = blocksBurned };

    private static UsageWrite Write(RolloverRule? rule, Instant? rolloverValidUntil)
    {
        var feature = new FeatureDefinition("minutes", PeriodPolicy.Day) { Rollover = rule };
        return new UsageWrite(
            "subject", feature, UsageOperation.Consume, 1, Tuesday, FeatureLimit.Hard(10), [], Now, Now, options: null, SubjectContext.Default,
            rolloverValidUntil: rolloverValidUntil);
    }
}
