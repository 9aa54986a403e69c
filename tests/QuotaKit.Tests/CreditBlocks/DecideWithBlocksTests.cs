namespace QuotaKit.Tests.CreditBlocks;

/// <summary><see cref="UsageRules.DecideWithBlocks"/>: the plan first, then the blocks (rules.md, "A write").</summary>
public class DecideWithBlocksTests
{
    private static UsageWriteDecision Decide(
        UsageOperation operation, long used, long amount, FeatureLimit limit, long blocksBurned = 0, long blocksAvailable = 0) =>
        UsageRules.DecideWithBlocks(operation, used, amount, limit, blocksBurned, blocksAvailable);

    [Theory]
    [InlineData(0, 3, 0)] // the plan covers 3 of 3
    [InlineData(1, 2, 0)] // 1 + 2 = 3
    [InlineData(2, 2, 1)] // plan left 1, 1 from blocks
    [InlineData(3, 4, 4)] // plan spent, all 4 from blocks
    public void A_consume_burns_only_what_the_plan_left_cannot_cover(long used, long amount, long burned)
    {
        var decision = Decide(UsageOperation.Consume, used, amount, FeatureLimit.Hard(3), blocksAvailable: 5);

        (decision.Outcome, decision.UsedAfter, decision.BurnFromBlocks, decision.ReturnToBlocks)
            .Should().Be((UsageOutcome.Allowed, used + amount, burned, 0L));
    }

    [Fact]
    public void A_hard_consume_needing_exactly_what_the_blocks_hold_is_allowed_and_burns_it_all()
    {
        // Plan left 3 - 1 = 2; 4 needs 2; the blocks hold 2.
        var decision = Decide(UsageOperation.Consume, used: 1, amount: 4, FeatureLimit.Hard(3), blocksAvailable: 2);

        (decision.Outcome, decision.UsedAfter, decision.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, 5L, 2L));
    }

    [Fact]
    public void A_hard_consume_needing_one_more_than_the_blocks_hold_is_refused_and_burns_nothing()
    {
        var decision = Decide(UsageOperation.Consume, used: 1, amount: 5, FeatureLimit.Hard(3), blocksAvailable: 2);

        (decision.Outcome, decision.UsedAfter, decision.BurnFromBlocks, decision.Applied).Should().Be((UsageOutcome.LimitExceeded, 1L, 0L, false));
    }

    [Fact]
    public void The_plan_part_of_used_is_used_minus_blocks_burned()
    {
        // used 5 of which 2 from blocks: the plan's part is 3 of 3, so 1 more needs 1 from blocks.
        var covered = Decide(UsageOperation.Consume, used: 5, amount: 1, FeatureLimit.Hard(3), blocksBurned: 2, blocksAvailable: 1);
        var notCovered = Decide(UsageOperation.Consume, used: 5, amount: 1, FeatureLimit.Hard(3), blocksBurned: 2, blocksAvailable: 0);

        (covered.Outcome, covered.UsedAfter, covered.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, 6L, 1L));
        notCovered.Outcome.Should().Be(UsageOutcome.LimitExceeded);
    }

    [Fact]
    public void After_a_downgrade_below_the_plan_part_everything_comes_from_the_blocks()
    {
        // used 10, 2 from blocks: the plan's part 8 is past the new limit 3, so the plan leaves 0 (not a negative number).
        var covered = Decide(UsageOperation.Consume, used: 10, amount: 2, FeatureLimit.Hard(3), blocksBurned: 2, blocksAvailable: 2);
        var notCovered = Decide(UsageOperation.Consume, used: 10, amount: 2, FeatureLimit.Hard(3), blocksBurned: 2, blocksAvailable: 1);

        (covered.Outcome, covered.UsedAfter, covered.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, 12L, 2L));
        (notCovered.Outcome, notCovered.BurnFromBlocks).Should().Be((UsageOutcome.LimitExceeded, 0L));
    }

    [Fact]
    public void Blocks_burned_above_used_leave_the_plan_whole()
    {
        // The plan's part is max(1 - 3, 0) = 0: plan left 3, so 4 needs 1.
        var decision = Decide(UsageOperation.Consume, used: 1, amount: 4, FeatureLimit.Hard(3), blocksBurned: 3, blocksAvailable: 5);

        (decision.UsedAfter, decision.BurnFromBlocks).Should().Be((5L, 1L));
    }

    [Theory]
    [InlineData(UsageOperation.Consume)]
    [InlineData(UsageOperation.Increment)]
    public void A_soft_consume_and_any_increment_burn_what_the_blocks_hold_and_go_over(UsageOperation operation)
    {
        var limit = operation == UsageOperation.Consume ? FeatureLimit.Soft(3) : FeatureLimit.Hard(3);

        // Plan left 1; 6 needs 5; the blocks hold 2.
        var decision = Decide(operation, used: 2, amount: 6, limit, blocksAvailable: 2);

        (decision.Outcome, decision.UsedAfter, decision.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, 8L, 2L));
    }

    [Theory]
    [InlineData(6, 3, 2, 4, 2)]  // 2 back to the blocks, used 4
    [InlineData(6, 1, 4, 2, 1)]  // bigger than what was burned: 1 back to the blocks, 3 to the plan
    [InlineData(2, 2, 5, 0, 2)]  // bigger than used: used 0, all burned units back
    [InlineData(4, 0, 1, 3, 0)]  // nothing burned: nothing back
    public void A_refund_gives_back_to_the_blocks_first_up_to_what_was_burned(long used, long burned, long refund, long usedAfter, long returned)
    {
        var decision = Decide(UsageOperation.Refund, used, refund, FeatureLimit.Hard(3), burned, blocksAvailable: 9);

        (decision.Outcome, decision.UsedAfter, decision.ReturnToBlocks, decision.BurnFromBlocks)
            .Should().Be((UsageOutcome.Allowed, usedAfter, returned, 0L));
    }

    [Fact]
    public void Unlimited_disabled_and_gauge_writes_decide_as_without_blocks_and_burn_nothing()
    {
        var unlimited = Decide(UsageOperation.Consume, used: 10, amount: 5, FeatureLimit.Unlimited, blocksAvailable: 5);
        var disabledConsume = Decide(UsageOperation.Consume, used: 0, amount: 1, FeatureLimit.Disabled, blocksAvailable: 5);
        var disabledIncrement = Decide(UsageOperation.Increment, used: 0, amount: 1, FeatureLimit.Disabled, blocksAvailable: 5);
        var set = Decide(UsageOperation.SetGauge, used: 2, amount: 9, FeatureLimit.Hard(3), blocksAvailable: 5);
        var raise = Decide(UsageOperation.RaiseGauge, used: 2, amount: 9, FeatureLimit.Hard(3), blocksAvailable: 5);

        (unlimited.Outcome, unlimited.UsedAfter, unlimited.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, 15L, 0L));
        (disabledConsume.Outcome, disabledConsume.BurnFromBlocks).Should().Be((UsageOutcome.FeatureDisabled, 0L));
        (disabledIncrement.Outcome, disabledIncrement.BurnFromBlocks).Should().Be((UsageOutcome.FeatureDisabled, 0L));
        (set.UsedAfter, set.BurnFromBlocks).Should().Be((9L, 0L));
        (raise.UsedAfter, raise.BurnFromBlocks).Should().Be((9L, 0L));
        UsageRules.Decide(UsageOperation.SetGauge, 2, 9, FeatureLimit.Hard(3)).Should().Be((set.Outcome, set.UsedAfter));
    }

    [Fact]
    public void A_write_that_would_overflow_the_counter_throws()
    {
        var overflow = () => Decide(UsageOperation.Increment, used: long.MaxValue - 1, amount: 2, FeatureLimit.Hard(3), blocksAvailable: 5);

        overflow.Should().Throw<InvalidAmountException>();
    }

    [Fact]
    public void A_huge_limit_and_amount_do_not_overflow_the_plan_arithmetic()
    {
        var decision = Decide(UsageOperation.Consume, used: 1, amount: long.MaxValue - 1, FeatureLimit.Hard(long.MaxValue), blocksAvailable: 0);

        (decision.Outcome, decision.UsedAfter, decision.BurnFromBlocks).Should().Be((UsageOutcome.Allowed, long.MaxValue, 0L));
    }

    [Fact]
    public void The_preview_with_blocks_answers_the_consume_and_a_would_be_overflow_is_refused()
    {
        UsageRules.Preview(3, 2, FeatureLimit.Hard(3), 0, 2).Should().Be(UsageOutcome.Allowed);
        UsageRules.Preview(3, 3, FeatureLimit.Hard(3), 0, 2).Should().Be(UsageOutcome.LimitExceeded);
        UsageRules.Preview(long.MaxValue, 1, FeatureLimit.Soft(3), 0, 2).Should().Be(UsageOutcome.LimitExceeded);
    }

    [Fact]
    public void UsageWrite_Apply_with_blocks_decides_its_operation_amount_and_limit_by_the_rule()
    {
        var now = NodaTime.Instant.FromUtc(2025, 3, 10, 9, 0);
        var period = new UsagePeriod(NodaTime.Instant.FromUtc(2025, 3, 10, 0, 0), NodaTime.Instant.FromUtc(2025, 3, 11, 0, 0));
        var write = new UsageWrite(
            "subject", new FeatureDefinition("images", PeriodPolicy.Day), UsageOperation.Consume, 4, period, FeatureLimit.Hard(3), [],
            now, now, options: null, SubjectContext.Default);

        write.Apply(2, 1, 5).Should().Be(UsageRules.DecideWithBlocks(UsageOperation.Consume, 2, 4, FeatureLimit.Hard(3), 1, 5));
        // The plan's part is 2 - 1 = 1 of 3, leaving 2: the consume of 4 burns 2.
        (write.Apply(2, 1, 5).UsedAfter, write.Apply(2, 1, 5).BurnFromBlocks).Should().Be((6L, 2L));
    }
}
