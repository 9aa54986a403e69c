using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// Rollover (/work/notes/s9/rules.md, "Rollover"; docs/concepts.md, "### Rollover"): the first write of a period that
// creates its counter carries what the period just before it left of the plan's allowance into a credit block. Every test
// builds its own tracker: "minutes", a hard limit of 10 per UTC day unless told otherwise, rolling over as declared.
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Instant Wednesday = Instant.FromUtc(2025, 3, 12, 0, 0);

    private static readonly Instant Thursday = Instant.FromUtc(2025, 3, 13, 0, 0);

    private Task<TrackerUnderTest> RollingOverAsync(long? cap = null, int periods = 1, PeriodPolicy? policy = null) =>
        CreateAsync(q => q
            .AddFeature("minutes", policy ?? PeriodPolicy.Day, f => f.RollsOver(cap, periods))
            .AddPlan("only", p => p.Limit("minutes", 10))
            .UseDefaultPlan("only"), Clock);

    private Task<UsageDecision> ConsumeMinutesAsync(TrackerUnderTest underTest, long amount) =>
        underTest.Tracker.TryConsumeAsync(Subject, "minutes", amount);

    private async Task<IReadOnlyList<CreditBlock>> RolloversAsync(TrackerUnderTest underTest) =>
        [.. (await underTest.Admin.GetCreditBlocksAsync(Subject)).Where(b => b.Source == CreditBlockSource.Rollover)];

    [Fact]
    public async Task Rollover_carries_the_unused_allowance_into_a_block_of_the_next_period()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // Monday: 7 of 10 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var first = await ConsumeMinutesAsync(underTest, 1);

        var block = (await underTest.Admin.GetCreditBlocksAsync(Subject)).Should().ContainSingle().Subject;
        block.Should().Be(new CreditBlock(
            block.Id, "minutes", 7, 0, 0, TuesdayUtc.Start, TuesdayUtc.End, Instant.FromUtc(2025, 3, 11, 9, 0), null)
        {
            Source = CreditBlockSource.Rollover,
        });
        (first.Used, first.BlocksBurned, first.BlocksRemaining).Should().Be((1L, 0L, 7L));
    }

    [Fact]
    public async Task Rollover_carries_no_more_than_the_cap()
    {
        await using var underTest = await RollingOverAsync(cap: 5);
        await ConsumeMinutesAsync(underTest, 3); // 7 unused, capped at 5
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        await ConsumeMinutesAsync(underTest, 1);

        (await RolloversAsync(underTest)).Should().ContainSingle().Which.Amount.Should().Be(5);
    }

    [Fact]
    public async Task Rollover_with_a_cap_of_zero_carries_nothing()
    {
        await using var underTest = await RollingOverAsync(cap: 0);
        await ConsumeMinutesAsync(underTest, 3);
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var first = await ConsumeMinutesAsync(underTest, 11); // nothing carried: 11 is past the plan alone

        (await underTest.Admin.GetCreditBlocksAsync(Subject)).Should().BeEmpty();
        first.Outcome.Should().Be(UsageOutcome.LimitExceeded);
    }

    [Fact]
    public async Task Rollover_counts_only_the_plans_part_of_the_usage_units_burned_from_blocks_do_not_reduce_it()
    {
        await using var underTest = await RollingOverAsync();
        await underTest.Admin.AddCreditBlockAsync(Subject, "minutes", 5, validFrom: null, validUntil: TuesdayUtc.Start);
        (await ConsumeMinutesAsync(underTest, 12)).BlocksBurned.Should().Be(2); // 10 of the plan, 2 of the block
        // The limit rises to 20 and a write records it: used 13, of which 2 from the block, so the plan's part is 11.
        await underTest.Admin.SetOverrideAsync(Subject, "minutes", FeatureLimit.Hard(20));
        (await ConsumeMinutesAsync(underTest, 1)).BlocksBurned.Should().Be(2);
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        await ConsumeMinutesAsync(underTest, 1);

        // 20 - (13 - 2) = 9, not 20 - 13 = 7.
        (await RolloversAsync(underTest)).Should().ContainSingle().Which.Amount.Should().Be(9);
    }

    [Fact]
    public async Task Rollover_for_two_periods_is_usable_in_the_second_and_not_the_third()
    {
        await using var underTest = await RollingOverAsync(periods: 2);
        await ConsumeMinutesAsync(underTest, 3); // Monday: 7 unused, usable Tuesday and Wednesday
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));
        await ConsumeMinutesAsync(underTest, 10); // Tuesday: the plan only, nothing unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 12, 9, 0));

        var wednesday = await ConsumeMinutesAsync(underTest, 13); // 10 of the plan, 3 of Monday's rollover
        Clock.SetTo(Instant.FromUtc(2025, 3, 13, 9, 0));
        var thursday = await ConsumeMinutesAsync(underTest, 11); // Monday's 4 left have ended

        (wednesday.Outcome, wednesday.BlocksBurned, wednesday.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 3L, 4L));
        (thursday.Outcome, thursday.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L));
        var block = (await RolloversAsync(underTest)).Should().ContainSingle().Subject;
        (block.ValidFrom, block.ValidUntil, block.Burned).Should().Be((TuesdayUtc.Start, (Instant?)Thursday, 3L));
    }

    [Fact]
    public async Task Rollover_needs_a_previous_counter()
    {
        await using var underTest = await RollingOverAsync();
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0)); // no usage on Monday

        var first = await ConsumeMinutesAsync(underTest, 11);

        first.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (await underTest.Admin.GetCreditBlocksAsync(Subject)).Should().BeEmpty();
    }

    [Fact]
    public async Task Rollover_comes_only_from_the_period_just_before_not_from_one_a_period_was_skipped_after()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // Monday; nothing on Tuesday
        Clock.SetTo(Instant.FromUtc(2025, 3, 12, 9, 0));

        var first = await ConsumeMinutesAsync(underTest, 1);

        (await underTest.Admin.GetCreditBlocksAsync(Subject)).Should().BeEmpty();
        first.BlocksRemaining.Should().Be(0);
    }

    [Fact]
    public async Task Rollover_decides_the_first_write_of_the_period_that_the_plan_alone_refuses()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // 7 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var first = await ConsumeMinutesAsync(underTest, 15); // 10 of the plan, 5 of the rollover

        (first.Outcome, first.Used, first.BlocksBurned, first.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 15L, 5L, 2L));
    }

    [Fact]
    public async Task Rollover_happens_even_when_the_first_write_is_refused_and_then_decides_the_next()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // 7 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var refused = await ConsumeMinutesAsync(underTest, 18); // past 10 + 7: refused, the counter and rollover stay
        var next = await ConsumeMinutesAsync(underTest, 17);

        (refused.Outcome, refused.Used, refused.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L, 7L));
        (next.Outcome, next.BlocksBurned, next.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 7L, 0L));
        (await RolloversAsync(underTest)).Should().ContainSingle().Which.Amount.Should().Be(7);
    }

    [Fact]
    public async Task Rollover_is_created_by_a_first_write_at_the_very_start_of_the_period()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3);
        Clock.SetTo(TuesdayUtc.Start);

        var first = await ConsumeMinutesAsync(underTest, 12);

        first.BlocksBurned.Should().Be(2);
        var block = (await RolloversAsync(underTest)).Should().ContainSingle().Subject;
        (block.Amount, block.ValidFrom, block.ValidUntil, block.CreatedAt).Should().Be((7L, TuesdayUtc.Start, (Instant?)TuesdayUtc.End, TuesdayUtc.Start));
    }

    [Fact]
    public async Task Rollover_is_created_by_a_first_write_at_the_last_instant_of_the_period()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3);
        var lastMicrosecond = TuesdayUtc.End - Duration.FromNanoseconds(1000);
        Clock.SetTo(lastMicrosecond);

        var first = await ConsumeMinutesAsync(underTest, 12);

        first.BlocksBurned.Should().Be(2);
        var block = (await RolloversAsync(underTest)).Should().ContainSingle().Subject;
        (block.Amount, block.ValidFrom, block.ValidUntil, block.CreatedAt).Should().Be((7L, TuesdayUtc.Start, (Instant?)TuesdayUtc.End, lastMicrosecond));
    }

    [Fact]
    public async Task Rollover_of_a_daily_feature_east_of_utc_follows_local_days()
    {
        // Melbourne is UTC+11 in March 2025: Monday 10 March local is [09T13:00Z, 10T13:00Z); Tuesday starts at 10T13:00Z.
        await using var underTest = await RollingOverAsync(policy: PeriodPolicy.Day.InZone("Australia/Melbourne"));
        await ConsumeMinutesAsync(underTest, 3); // 10T09:00Z, Monday 20:00 local
        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 14, 0)); // the same UTC day, Tuesday 01:00 local

        var first = await ConsumeMinutesAsync(underTest, 12);

        first.BlocksBurned.Should().Be(2);
        var block = (await RolloversAsync(underTest)).Should().ContainSingle().Subject;
        (block.Amount, block.ValidFrom, block.ValidUntil)
            .Should().Be((7L, Instant.FromUtc(2025, 3, 10, 13, 0), (Instant?)Instant.FromUtc(2025, 3, 11, 13, 0)));
    }

    [Fact]
    public async Task Rollover_of_a_daily_feature_west_of_utc_follows_local_days_across_a_daylight_saving_change()
    {
        // Los Angeles: Saturday 8 March 2025 is [08T08:00Z, 09T08:00Z) (UTC-8); Sunday 9 March, when clocks go forward,
        // is 23 hours, [09T08:00Z, 10T07:00Z).
        await using var underTest = await RollingOverAsync(policy: PeriodPolicy.Day.InZone("America/Los_Angeles"));
        Clock.SetTo(Instant.FromUtc(2025, 3, 9, 7, 0)); // Saturday 23:00 local, Sunday in UTC
        await ConsumeMinutesAsync(underTest, 4);
        Clock.SetTo(Instant.FromUtc(2025, 3, 9, 9, 0)); // Sunday 01:00 local

        var first = await ConsumeMinutesAsync(underTest, 12);

        first.BlocksBurned.Should().Be(2);
        var block = (await RolloversAsync(underTest)).Should().ContainSingle().Subject;
        (block.Amount, block.ValidFrom, block.ValidUntil)
            .Should().Be((6L, Instant.FromUtc(2025, 3, 9, 8, 0), (Instant?)Instant.FromUtc(2025, 3, 10, 7, 0)));
    }

    [Fact]
    public async Task Rollover_is_listed_by_the_usage_page_once_the_period_has_a_counter()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3);
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var before = (await underTest.Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "minutes");
        await ConsumeMinutesAsync(underTest, 1);
        var after = (await underTest.Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "minutes");

        before.Blocks.Should().BeEmpty();
        var listed = after.Blocks.Should().ContainSingle().Subject;
        (listed.Source, listed.Amount, listed.Burned, listed.ValidFrom).Should().Be((CreditBlockSource.Rollover, 7L, 0L, TuesdayUtc.Start));
    }

    [Fact]
    public async Task Rollover_carries_only_the_plans_allowance_never_what_a_rollover_block_left()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // Monday: 7 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));
        await ConsumeMinutesAsync(underTest, 1); // Tuesday: 9 of the plan unused; Monday's rollover of 7 untouched
        Clock.SetTo(Instant.FromUtc(2025, 3, 12, 9, 0));

        var first = await ConsumeMinutesAsync(underTest, 1);

        var rollovers = await RolloversAsync(underTest);
        rollovers.Select(b => (b.Amount, b.ValidFrom)).Should().BeEquivalentTo([(7L, TuesdayUtc.Start), (9L, Wednesday)]);
        first.BlocksRemaining.Should().Be(9, "Tuesday's rollover ended with Tuesday and was not carried");
    }

    [Fact]
    public async Task Rollover_is_created_by_a_reservation_that_is_the_first_write_of_the_period()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // 7 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var reserved = await underTest.Reservations.ReserveAsync(Subject, "minutes", 15, Duration.FromMinutes(5));
        var burnedWhileHeld = (await RolloversAsync(underTest)).Single().Burned;
        await underTest.Reservations.ReleaseAsync(reserved.Reservation!);

        reserved.Granted.Should().BeTrue("10 of the plan and 5 of the rollover cover it");
        burnedWhileHeld.Should().Be(5);
        (await RolloversAsync(underTest)).Should().ContainSingle().Which.Burned.Should().Be(0, "the release gave the units back");
    }

    [Fact]
    public async Task Rollover_happens_once_when_first_writes_of_the_period_race()
    {
        await using var underTest = await RollingOverAsync();
        await ConsumeMinutesAsync(underTest, 3); // 7 unused
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => ConsumeMinutesAsync(underTest, 1))));

        (await RolloversAsync(underTest)).Should().ContainSingle().Which.Amount.Should().Be(7);
        decisions.Count(d => d.Allowed).Should().Be(17, "10 of the plan and 7 of the one rollover");
        (await underTest.Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "minutes").Used.Should().Be(17);
    }
}
