using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task Consume_is_allowed_up_to_the_hard_limit_then_denied_with_the_numbers()
    {
        var first = await ConsumeAsync("images");
        var second = await ConsumeAsync("images");
        var tooMuch = await ConsumeAsync("images", 2); // 2 + 2 = 4 > 3
        var third = await ConsumeAsync("images");
        var fourth = await ConsumeAsync("images");

        first.Outcome.Should().Be(UsageOutcome.Allowed);
        (first.Used, first.Remaining).Should().Be((1L, 2L));
        (second.Used, second.Remaining).Should().Be((2L, 1L));
        tooMuch.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (tooMuch.Used, tooMuch.Remaining).Should().Be((2L, 1L));
        third.Allowed.Should().BeTrue();
        (third.Used, third.Remaining).Should().Be((3L, 0L));

        fourth.Allowed.Should().BeFalse();
        fourth.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        fourth.Used.Should().Be(3);
        fourth.Remaining.Should().Be(0);
        fourth.Limit.Should().Be(FeatureLimit.Hard(3));
        fourth.Period.Should().Be(MondayUtc);
        fourth.ResetsAt.Should().Be(Instant.FromUtc(2025, 3, 11, 0, 0));
        fourth.HardLimitExceeded.Should().BeFalse();
        fourth.IsReplay.Should().BeFalse();
        (fourth.SubjectId, fourth.FeatureKey).Should().Be((Subject, "images"));
        (await UsedAsync("images")).Should().Be(3);
    }

    [Fact]
    public async Task A_disabled_feature_is_denied_and_nothing_is_counted()
    {
        var consume = await ConsumeAsync("videos");
        var increment = await Tracker.IncrementAsync(Subject, "videos", 5);

        consume.Outcome.Should().Be(UsageOutcome.FeatureDisabled);
        increment.Outcome.Should().Be(UsageOutcome.FeatureDisabled);
        consume.Limit.Should().Be(FeatureLimit.Disabled);
        (consume.Used, consume.Remaining).Should().Be((0L, 0L));
        (increment.Used, increment.Remaining).Should().Be((0L, 0L));
        (await UsedAsync("videos")).Should().Be(0);
        (await Tracker.GetHistoryAsync(Subject, "videos", MondayUtc.Start, MondayUtc.End)).Should().BeEmpty();
    }

    [Fact]
    public async Task Unlimited_allows_everything_and_still_counts()
    {
        await ConsumeAsync("exports", 4_000_000);
        var decision = await ConsumeAsync("exports", 1_000_000);

        decision.Allowed.Should().BeTrue();
        decision.Used.Should().Be(5_000_000);
        decision.Limit.Should().Be(FeatureLimit.Unlimited);
        decision.Remaining.Should().BeNull();
        (decision.SoftLimitExceeded, decision.HardLimitExceeded).Should().Be((false, false));
        UnderTest.Alerts.Should().BeEmpty();
    }

    [Fact]
    public async Task A_soft_limit_never_refuses_and_reports_that_it_is_exceeded()
    {
        var under = await ConsumeAsync("voice_seconds", 500);
        var over = await ConsumeAsync("voice_seconds", 200);

        under.Allowed.Should().BeTrue();
        under.SoftLimitExceeded.Should().BeFalse();
        (under.Used, under.Remaining).Should().Be((500L, 100L));
        over.Allowed.Should().BeTrue();
        over.Used.Should().Be(700);
        over.Remaining.Should().Be(0);
        over.Limit.Should().Be(FeatureLimit.Soft(600));
        (over.SoftLimitExceeded, over.HardLimitExceeded).Should().Be((true, false));
        over.Period.Should().Be(March);
    }

    [Fact]
    public async Task Increment_records_past_a_hard_limit_and_says_so()
    {
        var increment = await Tracker.IncrementAsync(Subject, "images", 5);
        var consume = await ConsumeAsync("images");

        increment.Allowed.Should().BeTrue();
        increment.Used.Should().Be(5);
        increment.Remaining.Should().Be(0);
        (increment.HardLimitExceeded, increment.SoftLimitExceeded).Should().Be((true, false));
        consume.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        consume.Used.Should().Be(5);
    }

    [Fact]
    public async Task Refund_gives_units_back_but_never_below_zero_and_is_never_denied()
    {
        await ConsumeAsync("images", 2);
        var partial = await Tracker.RefundAsync(Subject, "images", 1);
        var tooMuch = await Tracker.RefundAsync(Subject, "images", 5);
        var disabled = await Tracker.RefundAsync(Subject, "videos", 1);

        (partial.Allowed, partial.Used).Should().Be((true, 1L));
        (tooMuch.Allowed, tooMuch.Used).Should().Be((true, 0L));
        (disabled.Allowed, disabled.Used).Should().Be((true, 0L));
        (await ConsumeAsync("images", 3)).Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task Check_answers_without_writing_anything()
    {
        var fits = await Tracker.CheckAsync(Subject, "images", 3);
        var tooMuch = await Tracker.CheckAsync(Subject, "images", 4);
        var disabled = await Tracker.CheckAsync(Subject, "videos");
        await Tracker.CheckAsync(Subject, "api_calls", 10);

        fits.Outcome.Should().Be(UsageOutcome.Allowed);
        (fits.Used, fits.Remaining, fits.Period).Should().Be((0L, 3L, MondayUtc));
        new[] { fits, tooMuch, disabled }.Should().OnlyContain(d => !d.IsReplay, "a check records no call, so it replays none");
        tooMuch.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        disabled.Outcome.Should().Be(UsageOutcome.FeatureDisabled);
        (await UsedAsync("images")).Should().Be(0);
        (await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, MondayUtc.End)).Should().BeEmpty();
        UnderTest.Alerts.Should().BeEmpty();
    }

    [Fact]
    public async Task Check_sees_what_was_consumed_at_the_given_instant()
    {
        await ConsumeAsync("images", 2);

        var now = await Tracker.CheckAsync(Subject, "images", 2);
        var tomorrow = await Tracker.CheckAsync(Subject, "images", 2, at: TuesdayUtc.Start);

        (now.Outcome, now.Used).Should().Be((UsageOutcome.LimitExceeded, 2L));
        (tomorrow.Outcome, tomorrow.Used, tomorrow.Period).Should().Be((UsageOutcome.Allowed, 0L, TuesdayUtc));
    }

    [Fact]
    public async Task A_last_value_gauge_takes_each_value_and_is_never_denied()
    {
        var three = await Tracker.SetGaugeAsync(Subject, "seats", 3);
        var two = await Tracker.SetGaugeAsync(Subject, "seats", 2);
        var seven = await Tracker.SetGaugeAsync(Subject, "seats", 7);
        var zero = await Tracker.SetGaugeAsync(Subject, "seats", 0);

        (three.Used, two.Used).Should().Be((3L, 2L));
        (seven.Allowed, seven.Used, seven.HardLimitExceeded).Should().Be((true, 7L, true));
        zero.Used.Should().Be(0);
        zero.Period.Should().Be(March);
        (await UsedAsync("seats")).Should().Be(0);
    }

    [Fact]
    public async Task A_max_gauge_only_rises()
    {
        var first = await Tracker.SetGaugeAsync(Subject, "storage_peak", 300);
        var lower = await Tracker.SetGaugeAsync(Subject, "storage_peak", 200);
        var higher = await Tracker.SetGaugeAsync(Subject, "storage_peak", 900);

        (first.Used, lower.Used, higher.Used).Should().Be((300L, 300L, 900L));
        lower.Allowed.Should().BeTrue();
        (await UsedAsync("storage_peak")).Should().Be(900);
    }

    [Fact]
    public async Task Counter_calls_on_gauges_and_gauge_calls_on_counters_are_refused()
    {
        await FluentActions.Awaiting(() => ConsumeAsync("seats"))
            .Should().ThrowAsync<FeatureKindMismatchException>().Where(e => e.FeatureKey == "seats" && e.Aggregation == FeatureAggregation.Last);
        await FluentActions.Awaiting(() => Tracker.IncrementAsync(Subject, "storage_peak"))
            .Should().ThrowAsync<FeatureKindMismatchException>();
        await FluentActions.Awaiting(() => Tracker.CheckAsync(Subject, "seats"))
            .Should().ThrowAsync<FeatureKindMismatchException>();
        await FluentActions.Awaiting(() => Tracker.SetGaugeAsync(Subject, "images", 1))
            .Should().ThrowAsync<FeatureKindMismatchException>().Where(e => e.Aggregation == FeatureAggregation.Sum);
        (await UsedAsync("seats")).Should().Be(0);
        (await UsedAsync("images")).Should().Be(0);
    }
}
