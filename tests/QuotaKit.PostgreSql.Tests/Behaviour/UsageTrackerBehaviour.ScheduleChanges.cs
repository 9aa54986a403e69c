using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// A subject's schedule changes while a period is open (its time zone, its billing anchor): the open period keeps its
/// start and its usage and ends where the new schedule's period ends. Nothing fails, nothing resets, history is kept,
/// and the new schedule starts at its own next boundary. The expected instants are worked out in the comments.
/// </summary>
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Instant March10 = Instant.FromUtc(2025, 3, 10, 0, 0);

    [Fact]
    public async Task A_zone_east_whose_day_started_earlier_shortens_the_open_day_and_keeps_its_usage()
    {
        await ConsumeAsync("images", 2); // the UTC day [03-10T00:00Z, 03-11T00:00Z)

        // At 09:00Z it is 20:00 in Melbourne (UTC+11): its day is [03-09T13:00Z, 03-10T13:00Z), which began earlier.
        await Admin.SetTimeZoneAsync(Subject, "Australia/Melbourne");
        var check = await Tracker.CheckAsync(Subject, "images", 2);
        var third = await ConsumeAsync("images");
        var fourth = await ConsumeAsync("images");
        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 13, 0)); // midnight in Melbourne
        var nextDay = await ConsumeAsync("images");

        var shortened = new UsagePeriod(March10, Instant.FromUtc(2025, 3, 10, 13, 0));
        (check.Outcome, check.Used, check.Period).Should().Be((UsageOutcome.LimitExceeded, 2L, shortened));
        (third.Allowed, third.Used, third.Period).Should().Be((true, 3L, shortened));
        (fourth.Outcome, fourth.Used).Should().Be((UsageOutcome.LimitExceeded, 3L));
        (nextDay.Allowed, nextDay.Used, nextDay.Period).Should().Be(
            (true, 1L, new UsagePeriod(Instant.FromUtc(2025, 3, 10, 13, 0), Instant.FromUtc(2025, 3, 11, 13, 0))));
        (await HistoryAsync("images")).Should().Equal(
            (shortened, 3L),
            (new UsagePeriod(Instant.FromUtc(2025, 3, 10, 13, 0), Instant.FromUtc(2025, 3, 11, 13, 0)), 1L));
    }

    [Fact]
    public async Task A_zone_west_whose_day_starts_later_stretches_the_open_day_instead_of_starting_a_free_one()
    {
        await ConsumeAsync("images", 2); // the UTC day [03-10T00:00Z, 03-11T00:00Z)

        // At 09:00Z it is 05:00 in New York (UTC-4 since 03-09): its day is [03-10T04:00Z, 03-11T04:00Z), which began later.
        await Admin.SetTimeZoneAsync(Subject, "America/New_York");
        var third = await ConsumeAsync("images");
        var fourth = await ConsumeAsync("images");
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 4, 0)); // midnight in New York
        var nextDay = await ConsumeAsync("images");

        var stretched = new UsagePeriod(March10, Instant.FromUtc(2025, 3, 11, 4, 0));
        (third.Allowed, third.Used, third.Period).Should().Be((true, 3L, stretched));
        (fourth.Outcome, fourth.Used).Should().Be((UsageOutcome.LimitExceeded, 3L), "no fresh quota starts at the change");
        (nextDay.Allowed, nextDay.Used).Should().Be((true, 1L));
        (await HistoryAsync("images")).Should().Equal(
            (stretched, 3L),
            (new UsagePeriod(Instant.FromUtc(2025, 3, 11, 4, 0), Instant.FromUtc(2025, 3, 12, 4, 0)), 1L));
    }

    [Fact]
    public async Task A_zone_east_whose_day_begins_at_the_last_write_joins_the_open_day_because_that_write_falls_in_it()
    {
        // Periods are half-open: a write at the instant the new day begins is in the new day, so its usage carries over.
        Clock.SetTo(Instant.FromUtc(2025, 3, 10, 13, 0)); // midnight in Melbourne (UTC+11)
        await ConsumeAsync("images", 2); // the UTC day [03-10T00:00Z, 03-11T00:00Z), written at 13:00Z

        await Admin.SetTimeZoneAsync(Subject, "Australia/Melbourne"); // its day [03-10T13:00Z, 03-11T13:00Z) holds 13:00Z
        var third = await ConsumeAsync("images");
        var fourth = await ConsumeAsync("images");

        var joined = new UsagePeriod(March10, Instant.FromUtc(2025, 3, 11, 13, 0));
        (third.Allowed, third.Used, third.Period).Should().Be((true, 3L, joined));
        (fourth.Outcome, fourth.Used).Should().Be((UsageOutcome.LimitExceeded, 3L), "the two images of 13:00Z count in the new day");
    }

    [Fact]
    public async Task A_zone_change_back_to_UTC_restores_the_UTC_days_from_the_next_boundary()
    {
        await Admin.SetTimeZoneAsync(Subject, "America/New_York");
        await ConsumeAsync("images", 3); // New York's day [03-10T04:00Z, 03-11T04:00Z)

        await Admin.SetTimeZoneAsync(Subject, null); // UTC: [03-10T00:00Z, 03-11T00:00Z) holds 09:00Z
        var refused = await ConsumeAsync("images");
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 0, 0));
        var nextUtcDay = await ConsumeAsync("images");

        (refused.Outcome, refused.Period).Should().Be((UsageOutcome.LimitExceeded, new UsagePeriod(Instant.FromUtc(2025, 3, 10, 4, 0), Instant.FromUtc(2025, 3, 11, 0, 0))));
        (nextUtcDay.Allowed, nextUtcDay.Period).Should().Be((true, TuesdayUtc));
        (await HistoryAsync("images")).Should().Equal(
            (new UsagePeriod(Instant.FromUtc(2025, 3, 10, 4, 0), Instant.FromUtc(2025, 3, 11, 0, 0)), 3L),
            (TuesdayUtc, 1L));
    }

    [Fact]
    public async Task An_anchor_moved_earlier_ends_the_open_cycle_at_the_new_cycles_end_with_its_usage()
    {
        await Admin.SetBillingAnchorAsync(Subject, Instant.FromUtc(2025, 1, 5, 0, 0));
        await ConsumeAsync("billed_minutes", 30); // cycle [03-05, 04-05)

        await Admin.SetBillingAnchorAsync(Subject, Instant.FromUtc(2025, 1, 1, 0, 0)); // cycles [03-01, 04-01)
        var afterChange = await ConsumeAsync("billed_minutes", 5);
        Clock.SetTo(Instant.FromUtc(2025, 4, 1, 0, 0));
        var nextCycle = await ConsumeAsync("billed_minutes", 1);

        var shortened = new UsagePeriod(Instant.FromUtc(2025, 3, 5, 0, 0), Instant.FromUtc(2025, 4, 1, 0, 0));
        (afterChange.Used, afterChange.Period).Should().Be((35L, shortened));
        (nextCycle.Used, nextCycle.Period).Should().Be((1L, new UsagePeriod(Instant.FromUtc(2025, 4, 1, 0, 0), Instant.FromUtc(2025, 5, 1, 0, 0))));
        (await HistoryAsync("billed_minutes")).Should().HaveCount(2).And.StartWith((shortened, 35L));
    }

    [Fact]
    public async Task An_anchor_moved_later_stretches_the_open_cycle_and_keeps_its_usage()
    {
        await Admin.SetBillingAnchorAsync(Subject, Instant.FromUtc(2025, 1, 1, 0, 0));
        await ConsumeAsync("billed_minutes", 98); // cycle [03-01, 04-01), limit 100

        await Admin.SetBillingAnchorAsync(Subject, Instant.FromUtc(2025, 1, 5, 0, 0)); // cycles [03-05, 04-05)
        var refused = await ConsumeAsync("billed_minutes", 5);
        var allowed = await ConsumeAsync("billed_minutes", 2);

        var stretched = new UsagePeriod(Instant.FromUtc(2025, 3, 1, 0, 0), Instant.FromUtc(2025, 4, 5, 0, 0));
        (refused.Outcome, refused.Used).Should().Be((UsageOutcome.LimitExceeded, 98L), "the 98 minutes still count");
        (allowed.Used, allowed.Period).Should().Be((100L, stretched));
        (await HistoryAsync("billed_minutes")).Should().Equal((stretched, 100L));
    }

    [Fact]
    public async Task A_refused_write_after_a_schedule_change_moves_no_period_end()
    {
        await ConsumeAsync("images", 3); // the UTC day, full

        await Admin.SetTimeZoneAsync(Subject, "America/New_York");
        var refused = await ConsumeAsync("images");

        refused.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (await HistoryAsync("images")).Should().Equal((MondayUtc, 3L));
    }

    private async Task<List<(UsagePeriod Period, long Used)>> HistoryAsync(string feature) =>
        (await Tracker.GetHistoryAsync(Subject, feature, Instant.FromUtc(2025, 1, 1, 0, 0), Instant.FromUtc(2025, 6, 1, 0, 0)))
        .Select(h => (h.Period, h.Used)).ToList();
}
