using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// Credit blocks (issue 15 part 3, /work/notes/s9/rules.md): units a subject spends once, across periods, after the plan's
// allowance of the period. "images" on the free plan: hard 3 per UTC day; "voice_seconds": soft 600 per month;
// "exports": unlimited; "videos": not on the plan (disabled); "seats": a gauge; "api_calls": hard 10 per day.
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Instant Tuesday0900 = Instant.FromUtc(2025, 3, 11, 9, 0);

    private Task<CreditBlock> AddBlockAsync(
        string feature, long amount, int priority = 0, Instant? validFrom = null, Instant? validUntil = null) =>
        Admin.AddCreditBlockAsync(Subject, feature, amount, validFrom, validUntil, priority);

    /// <summary>What each of <paramref name="blocks"/> has burned now, in the order given.</summary>
    private async Task<long[]> BurnedAsync(params CreditBlock[] blocks)
    {
        var stored = await Admin.GetCreditBlocksAsync(Subject);
        return [.. blocks.Select(b => stored.Single(s => s.Id == b.Id).Burned)];
    }

    [Fact]
    public async Task Credit_blocks_burn_only_after_the_plan_of_the_period_is_spent()
    {
        var block = await AddBlockAsync("images", 5);

        var withinPlan = await ConsumeAsync("images", 2);
        var pastPlan = await ConsumeAsync("images", 2);

        // 2 of 3 from the plan: nothing burned, 1 plan unit + 5 block units left.
        (withinPlan.Used, withinPlan.BlocksBurned, withinPlan.BlocksRemaining, withinPlan.Remaining).Should().Be((2L, 0L, 5L, 6L));
        // Then 2 more: the plan's last unit and 1 from the block; the plan's part (4 - 1 = 3) is not past the hard limit.
        (pastPlan.Outcome, pastPlan.Used, pastPlan.BlocksBurned, pastPlan.BlocksRemaining, pastPlan.Remaining)
            .Should().Be((UsageOutcome.Allowed, 4L, 1L, 4L, 4L));
        pastPlan.HardLimitExceeded.Should().BeFalse("the block covered the unit past the plan");
        (await BurnedAsync(block)).Should().Equal(1);
    }

    [Fact]
    public async Task Credit_blocks_burn_by_priority_then_the_earliest_end_with_blocks_that_never_end_last()
    {
        var wednesday = Instant.FromUtc(2025, 3, 12, 0, 0);
        var lowPriorityEndingFirst = await AddBlockAsync("images", 1, priority: 1, validUntil: TuesdayUtc.Start);
        var neverEnds = await AddBlockAsync("images", 1);
        var endsWednesday = await AddBlockAsync("images", 1, validUntil: wednesday);
        var endsTuesday = await AddBlockAsync("images", 1, validUntil: TuesdayUtc.Start);

        (await Admin.GetCreditBlocksAsync(Subject)).Select(b => b.Id)
            .Should().Equal(endsTuesday.Id, endsWednesday.Id, neverEnds.Id, lowPriorityEndingFirst.Id);
        await ConsumeAsync("images", 3); // the plan
        var burnedAfterEach = new List<long[]>();
        for (var i = 0; i < 4; i++)
        {
            (await ConsumeAsync("images")).Allowed.Should().BeTrue();
            burnedAfterEach.Add(await BurnedAsync(endsTuesday, endsWednesday, neverEnds, lowPriorityEndingFirst));
        }

        burnedAfterEach[0].Should().Equal(1, 0, 0, 0);
        burnedAfterEach[1].Should().Equal(1, 1, 0, 0);
        burnedAfterEach[2].Should().Equal(1, 1, 1, 0);
        burnedAfterEach[3].Should().Equal(1, 1, 1, 1);
        (await ConsumeAsync("images")).Allowed.Should().BeFalse("3 plan units and 4 block units are spent");
    }

    [Fact]
    public async Task Credit_blocks_alike_in_priority_and_end_burn_oldest_first_whatever_order_they_were_added_in()
    {
        var newer = await AddBlockAsync("images", 1); // created Monday 09:00
        Clock.SetTo(Monday0900 - Duration.FromHours(1));
        var older = await AddBlockAsync("images", 1); // added second, created 08:00
        Clock.SetTo(Monday0900);

        await ConsumeAsync("images", 4); // 3 from the plan, 1 from a block

        (await Admin.GetCreditBlocksAsync(Subject)).Select(b => b.Id).Should().Equal(older.Id, newer.Id);
        (await BurnedAsync(older, newer)).Should().Equal(1, 0);
    }

    [Fact]
    public async Task Concurrent_consumers_never_burn_more_than_the_blocks_hold()
    {
        var first = await AddBlockAsync("images", 10);
        var second = await AddBlockAsync("images", 10, priority: 1);

        var allowed = await RunTogetherAsync(async () =>
        {
            var count = 0;
            for (var i = 0; i < 2; i++)
            {
                count += (await ConsumeAsync("images")).Allowed ? 1 : 0;
            }

            return count;
        });

        // 64 x 2 = 128 attempts for 3 plan + 20 block units.
        allowed.Sum().Should().Be(23);
        (await UsedAsync("images")).Should().Be(23);
        (await BurnedAsync(first, second)).Should().Equal(10, 10);
    }

    [Fact]
    public async Task Another_subjects_blocks_are_not_burned()
    {
        var others = await Admin.AddCreditBlockAsync(Subject + "-other", "images", 5);
        await ConsumeAsync("images", 3);

        var refused = await ConsumeAsync("images");

        (refused.Outcome, refused.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L));
        (await Admin.GetCreditBlocksAsync(Subject)).Should().BeEmpty();
        (await Admin.GetCreditBlocksAsync(Subject + "-other")).Should().Equal(others);
    }

    [Fact]
    public async Task A_hard_consume_that_plan_and_blocks_cannot_cover_is_refused_and_burns_nothing()
    {
        var block = await AddBlockAsync("images", 2);
        await ConsumeAsync("images", 1);

        // Plan left 3 - 1 = 2; 5 needs 3 from blocks, which hold 2.
        var refused = await ConsumeAsync("images", 5);

        (refused.Outcome, refused.Used, refused.BlocksBurned, refused.BlocksRemaining, refused.Remaining)
            .Should().Be((UsageOutcome.LimitExceeded, 1L, 0L, 2L, 4L));
        (await BurnedAsync(block)).Should().Equal(0);
        (await UsedAsync("images")).Should().Be(1);

        // 4 needs exactly the 2 the blocks hold: allowed, everything spent.
        var exact = await ConsumeAsync("images", 4);
        (exact.Outcome, exact.Used, exact.BlocksBurned, exact.BlocksRemaining, exact.Remaining).Should().Be((UsageOutcome.Allowed, 5L, 2L, 0L, 0L));
        exact.HardLimitExceeded.Should().BeFalse();
    }

    [Fact]
    public async Task A_soft_consume_burns_what_blocks_have_and_goes_over_the_limit()
    {
        var block = await AddBlockAsync("voice_seconds", 100);

        // Plan 600: 650 needs 50 from the block.
        var first = await ConsumeAsync("voice_seconds", 650);
        // Plan spent: 100 more needs 100, the block has 50 left: it burns 50, the other 50 go over the soft limit.
        var second = await ConsumeAsync("voice_seconds", 100);

        (first.Used, first.BlocksBurned, first.BlocksRemaining, first.SoftLimitExceeded).Should().Be((650L, 50L, 50L, false));
        (second.Outcome, second.Used, second.BlocksBurned, second.BlocksRemaining, second.Remaining)
            .Should().Be((UsageOutcome.Allowed, 750L, 100L, 0L, 0L));
        second.SoftLimitExceeded.Should().BeTrue("the plan's part is 750 - 100 = 650 of 600");
        (await BurnedAsync(block)).Should().Equal(100);
    }

    [Fact]
    public async Task An_increment_past_a_hard_limit_burns_what_blocks_have_and_goes_over()
    {
        var block = await AddBlockAsync("images", 2);

        // Plan 3: 6 needs 3 from blocks, which hold 2; an increment is never refused, 1 goes over.
        var increment = await Tracker.IncrementAsync(Subject, "images", 6);

        (increment.Outcome, increment.Used, increment.BlocksBurned, increment.BlocksRemaining, increment.Remaining)
            .Should().Be((UsageOutcome.Allowed, 6L, 2L, 0L, 0L));
        increment.HardLimitExceeded.Should().BeTrue("the plan's part is 6 - 2 = 4 of 3");
        (await BurnedAsync(block)).Should().Equal(2);
        (await ConsumeAsync("images")).Allowed.Should().BeFalse();
    }

    [Fact]
    public async Task A_block_is_usable_from_its_valid_from_and_not_at_its_valid_until()
    {
        var ten = Instant.FromUtc(2025, 3, 10, 10, 0);
        // Burns first by priority, but only from 10:00.
        var fromTen = await AddBlockAsync("images", 1, priority: -1, validFrom: ten);
        var untilTen = await AddBlockAsync("images", 2, validUntil: ten);
        await ConsumeAsync("images", 3); // the plan

        Clock.SetTo(ten - Duration.FromMilliseconds(1));
        var beforeTen = await ConsumeAsync("images");
        var burnedBeforeTen = await BurnedAsync(fromTen, untilTen);
        Clock.SetTo(ten);
        var atTen = await ConsumeAsync("images");
        var burnedAtTen = await BurnedAsync(fromTen, untilTen);
        var afterBoth = await ConsumeAsync("images");

        // Before 10:00 only untilTen is usable (2 left, then 1); at 10:00 only fromTen (1 left, then 0).
        (beforeTen.Allowed, beforeTen.BlocksRemaining).Should().Be((true, 1L));
        burnedBeforeTen.Should().Equal(0, 1);
        (atTen.Allowed, atTen.BlocksRemaining).Should().Be((true, 0L));
        burnedAtTen.Should().Equal(1, 1);
        (afterBoth.Outcome, afterBoth.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L), "untilTen has 1 left but ended at 10:00");
        (await BurnedAsync(fromTen, untilTen)).Should().Equal(1, 1);
    }

    [Fact]
    public async Task A_backdated_write_burns_only_blocks_usable_when_the_usage_happened()
    {
        var block = await AddBlockAsync("images", 5); // usable from Monday 09:00
        await ConsumeAsync("images", 3); // the plan
        Clock.SetTo(Monday0900 + Duration.FromMinutes(30));

        var backdated = await ConsumeAsync("images", 1, new UsageOptions { At = Monday0900 - Duration.FromMinutes(30) });
        var now = await ConsumeAsync("images", 1);

        (backdated.Outcome, backdated.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L), "at 08:30 the block was not yet usable");
        (now.Outcome, now.BlocksBurned, now.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 1L, 4L));
        (await BurnedAsync(block)).Should().Equal(1);
    }

    [Fact]
    public async Task A_reset_starts_a_counter_that_has_burned_nothing_and_the_blocks_stay_spent()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 5); // 3 plan + 2 block

        await Admin.ResetAsync(Subject, "images");
        var afterReset = await ConsumeAsync("images", 3);
        var pastPlan = await ConsumeAsync("images", 1);

        (afterReset.Used, afterReset.BlocksBurned, afterReset.BlocksRemaining).Should().Be((3L, 0L, 3L), "the new counter's plan is whole");
        (pastPlan.Used, pastPlan.BlocksBurned, pastPlan.BlocksRemaining).Should().Be((4L, 1L, 2L));
        (await BurnedAsync(block)).Should().Equal(3);
        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, MondayUtc.End);
        history.Select(h => (h.Used, h.BlocksBurned)).Should().Equal((5L, 2L), (4L, 1L));
    }

    [Fact]
    public async Task A_refund_gives_back_to_the_last_burned_block_first_then_to_the_plan()
    {
        var first = await AddBlockAsync("images", 2);
        var second = await AddBlockAsync("images", 2, priority: 1);
        await ConsumeAsync("images", 3);
        await ConsumeAsync("images", 3); // burns first 2, second 1

        var refundTwo = await Tracker.RefundAsync(Subject, "images", 2);
        var burnedAfterTwo = await BurnedAsync(first, second);
        var refundTwoMore = await Tracker.RefundAsync(Subject, "images", 2);

        // 2 back: second's 1, then 1 of first's 2; used 6 - 2 = 4, of which 1 from blocks.
        (refundTwo.Used, refundTwo.BlocksBurned, refundTwo.BlocksRemaining).Should().Be((4L, 1L, 3L));
        burnedAfterTwo.Should().Equal(1, 0);
        // 2 more: first's last 1, then 1 from the plan; used 2, plan left 1, blocks 4.
        (refundTwoMore.Used, refundTwoMore.BlocksBurned, refundTwoMore.BlocksRemaining, refundTwoMore.Remaining).Should().Be((2L, 0L, 4L, 5L));
        (await BurnedAsync(first, second)).Should().Equal(0, 0);
    }

    [Fact]
    public async Task A_block_spans_periods_and_each_period_spends_its_own_plan_first()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 5); // Monday: 3 plan + 2 block

        Clock.SetTo(Tuesday0900);
        var tuesdayPlan = await ConsumeAsync("images", 3);
        var tuesdayBlock = await ConsumeAsync("images", 3);

        (tuesdayPlan.Period, tuesdayPlan.Used, tuesdayPlan.BlocksBurned, tuesdayPlan.BlocksRemaining).Should().Be((TuesdayUtc, 3L, 0L, 3L));
        (tuesdayBlock.Used, tuesdayBlock.BlocksBurned, tuesdayBlock.BlocksRemaining).Should().Be((6L, 3L, 0L));
        (await BurnedAsync(block)).Should().Equal(5);
        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);
        history.Select(h => (h.Period, h.Used, h.BlocksBurned)).Should().Equal((MondayUtc, 5L, 2L), (TuesdayUtc, 6L, 3L));
    }

    [Fact]
    public async Task An_idempotent_replay_burns_nothing()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 3);
        var first = await ConsumeAsync("images", 2, Key("burn-1"));

        var replay = await ConsumeAsync("images", 2, Key("burn-1"));

        (first.Used, first.BlocksBurned, first.BlocksRemaining).Should().Be((5L, 2L, 3L));
        (replay.IsReplay, replay.Used, replay.BlocksBurned, replay.BlocksRemaining).Should().Be((true, 5L, 0L, (long?)null));
        (await BurnedAsync(block)).Should().Equal(2);
        (await UsedAsync("images")).Should().Be(5);
    }

    [Fact]
    public async Task A_reservation_burns_blocks_and_its_release_gives_them_back()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 2);

        // Plan left 1: the hold of 3 burns 2.
        var reserved = await Reservations.ReserveAsync(Subject, "images", 3, OneMinute);
        var burnedWhileHeld = await BurnedAsync(block);
        var released = await Reservations.ReleaseAsync(reserved.Reservation!);

        (reserved.Decision.Used, reserved.Decision.BlocksBurned, reserved.Decision.BlocksRemaining).Should().Be((5L, 2L, 3L));
        burnedWhileHeld.Should().Equal(2);
        // 3 back: 2 to the block, 1 to the plan.
        (released.State, released.Used, released.BlocksBurned).Should().Be((ReservationState.Released, 2L, 0L));
        (await BurnedAsync(block)).Should().Equal(0);
    }

    [Fact]
    public async Task An_expired_hold_gives_its_units_back_to_the_blocks_at_the_next_write()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 3);
        await ReserveAsync("images", 2, OneMinute); // burns 2

        Clock.SetTo(Monday0900 + OneMinute);
        var consumed = await ConsumeAsync("images");

        // The hold's 2 go back to the block, then this consume burns 1: used 3 + 1 = 4.
        (consumed.Used, consumed.BlocksBurned, consumed.BlocksRemaining).Should().Be((4L, 1L, 4L));
        (await BurnedAsync(block)).Should().Equal(1);
    }

    [Fact]
    public async Task A_commit_after_the_expiry_gives_the_hold_back_to_the_blocks_and_records_nothing()
    {
        var block = await AddBlockAsync("images", 5);
        await ConsumeAsync("images", 3);
        var reservation = await ReserveAsync("images", 2, OneMinute); // burns 2

        Clock.SetTo(Monday0900 + OneMinute);
        var settled = await Reservations.CommitAsync(reservation, 2);

        (settled.State, settled.Used, settled.BlocksBurned).Should().Be((ReservationState.Expired, 3L, 0L));
        (await BurnedAsync(block)).Should().Equal(0);
    }

    [Fact]
    public async Task Committing_fewer_units_than_held_gives_the_rest_back_to_the_blocks_first()
    {
        var block = await AddBlockAsync("images", 5);
        var reservation = await ReserveAsync("images", 5); // 3 plan + 2 block

        var settled = await Reservations.CommitAsync(reservation, 4);

        // 1 back, to the block: used 4, 1 from the block.
        (settled.Used, settled.BlocksBurned, settled.HardLimitExceeded).Should().Be((4L, 1L, false));
        (await BurnedAsync(block)).Should().Equal(1);
    }

    [Fact]
    public async Task Committing_more_units_than_held_burns_what_the_plan_cannot_cover()
    {
        var block = await AddBlockAsync("images", 5);
        var reservation = await ReserveAsync("images", 2); // the plan covers it

        var settled = await Reservations.CommitAsync(reservation, 7);

        // 5 more than held; the plan has 1 left, so 4 burn.
        (settled.Used, settled.BlocksBurned, settled.HardLimitExceeded).Should().Be((7L, 4L, false));
        (await BurnedAsync(block)).Should().Equal(4);
    }

    [Fact]
    public async Task Committing_more_units_than_plan_and_blocks_cover_burns_the_blocks_and_passes_the_hard_limit()
    {
        var block = await AddBlockAsync("images", 1);
        var reservation = await ReserveAsync("images", 2);

        var settled = await Reservations.CommitAsync(reservation, 6);

        // 4 more than held; the plan has 1 left, 3 needed, the block has 1: the plan's part is 6 - 1 = 5 of 3.
        (settled.Used, settled.BlocksBurned, settled.HardLimitExceeded).Should().Be((6L, 1L, true));
        (await BurnedAsync(block)).Should().Equal(1);
    }

    [Fact]
    public async Task A_batch_burns_blocks_in_item_order()
    {
        var first = await AddBlockAsync("images", 1);
        var second = await AddBlockAsync("images", 5, priority: 1);

        var results = await Meter.RecordAsync([new(Subject, "images", 2), new(Subject, "images", 2), new(Subject, "images", 2)]);

        // 2 (plan), then 2 (1 plan + 1 from first), then 2 (from second).
        results.Select(r => (r.Decision!.Used, r.Decision.BlocksBurned, r.Decision.BlocksRemaining))
            .Should().Equal((2L, 0L, (long?)6), (4L, 1L, (long?)5), (6L, 3L, (long?)3));
        (await BurnedAsync(first, second)).Should().Equal(1, 2);
    }

    [Fact]
    public async Task GetUsage_shows_the_usable_blocks_in_burn_order_and_counts_them_in_remaining()
    {
        var later = await AddBlockAsync("images", 4, priority: 1);
        var sooner = await AddBlockAsync("images", 2);
        await AddBlockAsync("images", 9, priority: 5, validUntil: Monday0900 + Duration.FromMinutes(30));
        await AddBlockAsync("images", 9, validFrom: TuesdayUtc.Start);
        var apiCalls = await AddBlockAsync("api_calls", 7);
        await ConsumeAsync("images", 4); // 3 plan + 1 from sooner

        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 10, 0));
        var usage = await Tracker.GetUsageAsync(Subject);

        var images = usage.Single(u => u.FeatureKey == "images");
        images.Blocks.Select(b => (b.Id, b.Remaining)).Should().Equal((sooner.Id, 1L), (later.Id, 4L));
        (images.Used, images.BlocksBurned, images.Remaining).Should().Be((4L, 1L, 5L), "plan left 0 + blocks 1 + 4");
        var api = usage.Single(u => u.FeatureKey == "api_calls");
        api.Blocks.Select(b => b.Id).Should().Equal(apiCalls.Id);
        api.Remaining.Should().Be(17, "plan 10 + block 7");
        usage.Single(u => u.FeatureKey == "voice_seconds").Blocks.Should().BeEmpty();
    }

    [Fact]
    public async Task GetHistory_shows_what_each_period_burned_from_each_block()
    {
        var first = await AddBlockAsync("images", 2);
        var second = await AddBlockAsync("images", 5, priority: 1);
        await ConsumeAsync("images", 3);
        await ConsumeAsync("images", 4); // Monday: first 2, second 2
        Clock.SetTo(Tuesday0900);
        await ConsumeAsync("images", 4); // Tuesday: 3 plan + second 1
        await ConsumeAsync("api_calls", 1);

        var beforeRefund = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);
        await Tracker.RefundAsync(Subject, "images", 1); // Tuesday gives its 1 back to second
        var afterRefund = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);

        beforeRefund.Select(h => (h.Period, h.Used, h.BlocksBurned)).Should().Equal((MondayUtc, 7L, 4L), (TuesdayUtc, 4L, 1L));
        beforeRefund[0].Burns.Should().Equal(new CreditBurn(first.Id, 2), new CreditBurn(second.Id, 2));
        beforeRefund[1].Burns.Should().Equal(new CreditBurn(second.Id, 1));
        afterRefund.Select(h => (h.Used, h.BlocksBurned)).Should().Equal((7L, 4L), (3L, 0L));
        afterRefund[0].Burns.Should().Equal(new CreditBurn(first.Id, 2), new CreditBurn(second.Id, 2));
        afterRefund[1].Burns.Should().BeEmpty("a block the period gave everything back to is left out");
    }

    [Fact]
    public async Task Check_allows_what_the_blocks_cover_and_burns_nothing()
    {
        var block = await AddBlockAsync("images", 2);
        await ConsumeAsync("images", 3);

        var covered = await Tracker.CheckAsync(Subject, "images", 2);
        var notCovered = await Tracker.CheckAsync(Subject, "images", 3);

        (covered.Outcome, covered.Used, covered.BlocksRemaining, covered.Remaining).Should().Be((UsageOutcome.Allowed, 3L, 2L, 2L));
        notCovered.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (await BurnedAsync(block)).Should().Equal(0);
        (await UsedAsync("images")).Should().Be(3);
    }

    [Fact]
    public async Task Adding_a_credit_block_with_bad_input_throws_and_stores_nothing()
    {
        await FluentActions.Awaiting(() => AddBlockAsync("seats", 5)).Should().ThrowAsync<FeatureKindMismatchException>();
        await FluentActions.Awaiting(() => AddBlockAsync("images", 0)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => AddBlockAsync("images", -1)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => AddBlockAsync("images", 5, validFrom: Monday0900, validUntil: Monday0900))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => AddBlockAsync("images", 5, validUntil: Monday0900 - Duration.FromHours(1)))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => AddBlockAsync("movies", 5)).Should().ThrowAsync<UnknownFeatureException>();

        (await Admin.GetCreditBlocksAsync(Subject)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_unlimited_feature_burns_no_blocks()
    {
        var block = await AddBlockAsync("exports", 5);

        var increment = await Tracker.IncrementAsync(Subject, "exports", 10);
        var consume = await ConsumeAsync("exports", 10);

        (consume.Used, consume.BlocksBurned, consume.BlocksRemaining, consume.Remaining).Should().Be((20L, 0L, 5L, (long?)null));
        increment.BlocksBurned.Should().Be(0);
        (await BurnedAsync(block)).Should().Equal(0);
    }

    [Fact]
    public async Task A_disabled_feature_stays_refused_with_blocks()
    {
        var block = await AddBlockAsync("videos", 5);

        var consume = await ConsumeAsync("videos");
        var increment = await Tracker.IncrementAsync(Subject, "videos", 1);

        (consume.Outcome, consume.Used).Should().Be((UsageOutcome.FeatureDisabled, 0L));
        increment.Outcome.Should().Be(UsageOutcome.FeatureDisabled);
        (await BurnedAsync(block)).Should().Equal(0);
    }
}
