using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_new_period_starts_exactly_at_the_boundary_instant()
    {
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 0, 0) - Duration.Epsilon);
        var lastOfMonday = await ConsumeAsync("images", 3);
        var deniedOnMonday = await ConsumeAsync("images");

        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 0, 0));
        var firstOfTuesday = await ConsumeAsync("images");

        (lastOfMonday.Used, lastOfMonday.Period).Should().Be((3L, MondayUtc));
        deniedOnMonday.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        firstOfTuesday.Allowed.Should().BeTrue();
        (firstOfTuesday.Used, firstOfTuesday.Period).Should().Be((1L, TuesdayUtc));
        firstOfTuesday.ResetsAt.Should().Be(Instant.FromUtc(2025, 3, 12, 0, 0));
    }

    [Fact]
    public async Task A_Melbourne_day_across_the_end_of_DST_counts_for_25_hours()
    {
        // 2025-04-06 in Melbourne: local midnight is 00:00 AEDT (+11) = 2025-04-05T13:00Z; clocks go back at 03:00 AEDT
        // to 02:00 AEST (+10); the next local midnight, 2025-04-07 00:00 AEST, is 2025-04-06T14:00Z: 25 hours later.
        var sunday = new UsagePeriod(Instant.FromUtc(2025, 4, 5, 13, 0), Instant.FromUtc(2025, 4, 6, 14, 0));
        Clock.SetTo(Instant.FromUtc(2025, 4, 5, 13, 0));
        var atMidnight = await ConsumeAsync("melbourne_images");

        Clock.Advance(Duration.FromHours(24)); // 23:00 AEST on Sunday: still Sunday
        var after24Hours = await ConsumeAsync("melbourne_images");

        Clock.SetTo(Instant.FromUtc(2025, 4, 6, 14, 0) - Duration.Epsilon);
        var lastTick = await ConsumeAsync("melbourne_images");

        Clock.SetTo(Instant.FromUtc(2025, 4, 6, 14, 0));
        var monday = await ConsumeAsync("melbourne_images");

        (atMidnight.Used, atMidnight.Period).Should().Be((1L, sunday));
        (after24Hours.Used, after24Hours.Period).Should().Be((2L, sunday));
        (lastTick.Used, lastTick.Period).Should().Be((3L, sunday));
        sunday.Duration.Should().Be(Duration.FromHours(25));
        (monday.Used, monday.Period).Should().Be(
            (1L, new UsagePeriod(Instant.FromUtc(2025, 4, 6, 14, 0), Instant.FromUtc(2025, 4, 7, 14, 0))));
    }

    [Fact]
    public async Task The_subjects_time_zone_wins_over_the_features()
    {
        // "melbourne_images" counts Melbourne days; the subject lives in New York, so New York days win. 09:00Z on
        // 2025-03-10 is 05:00 EDT (-4, DST began on the 9th): the New York day is [2025-03-10T04:00Z, 2025-03-11T04:00Z).
        // The feature's zone would give [2025-03-09T13:00Z, 2025-03-10T13:00Z), UTC [2025-03-10T00:00Z, 2025-03-11T00:00Z).
        await Admin.SetTimeZoneAsync(Subject, "America/New_York");

        var decision = await ConsumeAsync("melbourne_images");

        decision.Period.Should().Be(new UsagePeriod(Instant.FromUtc(2025, 3, 10, 4, 0), Instant.FromUtc(2025, 3, 11, 4, 0)));
    }

    [Fact]
    public async Task The_at_option_picks_the_period_instead_of_the_clock()
    {
        var tuesday = await ConsumeAsync("images", 3, new UsageOptions { At = Instant.FromUtc(2025, 3, 11, 18, 30) });
        var monday = await ConsumeAsync("images", 3);

        (tuesday.Used, tuesday.Period).Should().Be((3L, TuesdayUtc));
        (monday.Used, monday.Period).Should().Be((3L, MondayUtc));
    }
}
