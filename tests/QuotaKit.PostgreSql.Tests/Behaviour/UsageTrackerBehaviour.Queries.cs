using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task GetUsage_lists_every_declared_feature_by_key_with_its_current_period_and_limit()
    {
        await ConsumeAsync("images", 2);
        await ConsumeAsync("voice_seconds", 30);

        var usage = await Tracker.GetUsageAsync(Subject);

        // 09:00Z on 2025-03-10 is 20:00 AEDT (+11): the Melbourne day is [2025-03-09T13:00Z, 2025-03-10T13:00Z).
        var melbourneDay = new UsagePeriod(Instant.FromUtc(2025, 3, 9, 13, 0), Instant.FromUtc(2025, 3, 10, 13, 0));
        usage.Should().Equal(
            new FeatureUsage("api_calls", "unit", 0, FeatureLimit.Hard(10), MondayUtc),
            new FeatureUsage("exports", "unit", 0, FeatureLimit.Unlimited, MondayUtc),
            new FeatureUsage("images", "image", 2, FeatureLimit.Hard(3), MondayUtc),
            new FeatureUsage("melbourne_images", "unit", 0, FeatureLimit.Hard(10), melbourneDay),
            new FeatureUsage("seats", "unit", 0, FeatureLimit.Hard(5), March),
            new FeatureUsage("storage_peak", "unit", 0, FeatureLimit.Hard(1000), March),
            new FeatureUsage("videos", "unit", 0, FeatureLimit.Disabled, MondayUtc),
            new FeatureUsage("voice_seconds", "second", 30, FeatureLimit.Soft(600), March));
        usage.Single(u => u.FeatureKey == "images").Remaining.Should().Be(1);
    }

    [Fact]
    public async Task GetUsage_at_another_instant_reads_that_period()
    {
        await ConsumeAsync("images", 2);

        var tuesday = await Tracker.GetUsageAsync(Subject, Instant.FromUtc(2025, 3, 11, 0, 0));
        var mondayEvening = await Tracker.GetUsageAsync(Subject, Instant.FromUtc(2025, 3, 10, 23, 0));

        tuesday.Single(u => u.FeatureKey == "images").Should().Be(new FeatureUsage("images", "image", 0, FeatureLimit.Hard(3), TuesdayUtc));
        mondayEvening.Single(u => u.FeatureKey == "images").Used.Should().Be(2);
    }

    [Fact]
    public async Task GetHistory_returns_stored_periods_overlapping_the_range_oldest_first()
    {
        var thursday = new UsagePeriod(Instant.FromUtc(2025, 3, 13, 0, 0), Instant.FromUtc(2025, 3, 14, 0, 0));
        await ConsumeAsync("images", 3, new UsageOptions { At = Instant.FromUtc(2025, 3, 13, 8, 0) });
        await ConsumeAsync("images", 2);
        await ConsumeAsync("images", 1, new UsageOptions { At = Instant.FromUtc(2025, 3, 11, 23, 59) });
        await ConsumeAsync("api_calls", 4);

        var week = await Tracker.GetHistoryAsync(Subject, "images", Instant.FromUtc(2025, 3, 10, 0, 0), Instant.FromUtc(2025, 3, 14, 0, 0));
        var tuesdayToThursday = await Tracker.GetHistoryAsync(
            Subject, "images", Instant.FromUtc(2025, 3, 11, 0, 0), Instant.FromUtc(2025, 3, 13, 0, 0));
        var partOfMonday = await Tracker.GetHistoryAsync(
            Subject, "images", Instant.FromUtc(2025, 3, 10, 23, 0), Instant.FromUtc(2025, 3, 10, 23, 30));

        week.Should().Equal(
            new FeatureUsage("images", "image", 2, FeatureLimit.Hard(3), MondayUtc),
            new FeatureUsage("images", "image", 1, FeatureLimit.Hard(3), TuesdayUtc),
            new FeatureUsage("images", "image", 3, FeatureLimit.Hard(3), thursday));
        tuesdayToThursday.Select(u => u.Period).Should().Equal(TuesdayUtc); // Monday ends at `from`, Thursday starts at `to`
        partOfMonday.Select(u => u.Used).Should().Equal(2L);
    }

    [Fact]
    public async Task GetHistory_refuses_an_empty_range_and_an_unknown_feature()
    {
        await FluentActions.Awaiting(() => Tracker.GetHistoryAsync(Subject, "images", Monday0900, Monday0900))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Tracker.GetHistoryAsync(Subject, "movies", MondayUtc.Start, MondayUtc.End))
            .Should().ThrowAsync<UnknownFeatureException>();
    }
}
