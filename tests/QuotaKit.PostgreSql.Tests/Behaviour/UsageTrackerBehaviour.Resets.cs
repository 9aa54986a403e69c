using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// IQuotaAdministration.ResetAsync (issue 15): usage restarts from zero at the reset and history keeps what came before.
public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_reset_restarts_usage_from_zero_and_history_keeps_the_usage_before_it()
    {
        await ConsumeAsync("images", 3);
        (await ConsumeAsync("images")).Allowed.Should().BeFalse();
        Clock.SetTo(Monday0900 + Duration.FromHours(2));

        (await Admin.ResetAsync(Subject, "images")).Should().BeTrue();

        var afterReset = await ConsumeAsync("images", 3);
        afterReset.Allowed.Should().BeTrue("usage counts from zero after the reset");
        afterReset.Period.Should().Be(new UsagePeriod(Monday0900 + Duration.FromHours(2), MondayUtc.End), "the rest of the day");
        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);
        history.Select(h => (h.Period.Start, h.Period.End, h.Used)).Should().Equal(
            (MondayUtc.Start, Monday0900 + Duration.FromHours(2), 3L),
            (Monday0900 + Duration.FromHours(2), MondayUtc.End, 3L));
    }

    [Fact]
    public async Task A_reset_ends_at_the_period_end_and_the_next_period_starts_as_usual()
    {
        await ConsumeAsync("images", 2);
        await Admin.ResetAsync(Subject, "images");

        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));
        var tuesday = await ConsumeAsync("images", 3);

        (tuesday.Allowed, tuesday.Period).Should().Be((true, TuesdayUtc));
    }

    [Fact]
    public async Task A_write_dated_before_the_reset_counts_in_the_usage_before_it()
    {
        await ConsumeAsync("images", 1);
        Clock.SetTo(Monday0900 + Duration.FromHours(1));
        await Admin.ResetAsync(Subject, "images");

        var backdated = await Tracker.IncrementAsync(Subject, "images", 1, new UsageOptions { At = Monday0900 + Duration.FromMinutes(30) });

        backdated.Used.Should().Be(2);
        backdated.Period.Should().Be(new UsagePeriod(MondayUtc.Start, Monday0900 + Duration.FromHours(1)));
        (await UsedAsync("images")).Should().Be(0, "usage since the reset is untouched");
    }

    [Fact]
    public async Task A_reset_with_nothing_used_this_period_changes_nothing()
    {
        (await Admin.ResetAsync(Subject, "images")).Should().BeFalse();
        await ConsumeAsync("images");

        (await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End)).Should().ContainSingle()
            .Which.Period.Should().Be(MondayUtc);
    }

    [Fact]
    public async Task Alert_thresholds_fire_again_after_a_reset()
    {
        await ConsumeAsync("api_calls", 10);     // 80% and 100%
        Clock.SetTo(Monday0900 + Duration.FromHours(1));
        await Admin.ResetAsync(Subject, "api_calls");

        await ConsumeAsync("api_calls", 8);      // 80% again, of the usage since the reset

        UnderTest.Alerts.Select(a => (a.ThresholdPercent, a.Used)).Should().Equal((80, 10L), (100, 10L), (80, 8L));
    }

    [Fact]
    public async Task A_hold_made_before_a_reset_stops_counting_and_its_commit_counts_before_the_reset()
    {
        var reservation = await ReserveAsync("images", 3, Duration.FromHours(1));
        Clock.SetTo(Monday0900 + Duration.FromMinutes(10));
        await Admin.ResetAsync(Subject, "images");

        (await ConsumeAsync("images", 3)).Allowed.Should().BeTrue("the hold no longer counts against the limit");
        var committed = await Reservations.CommitAsync(reservation, 2);

        committed.Period.Should().Be(new UsagePeriod(MondayUtc.Start, Monday0900 + Duration.FromMinutes(10)));
        (await UsedAsync("images")).Should().Be(3);
    }

    [Fact]
    public async Task A_reset_of_a_bad_subject_or_an_unknown_feature_is_refused()
    {
        await FluentActions.Awaiting(() => Admin.ResetAsync(" ", "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => Admin.ResetAsync(Subject, "no-such-feature")).Should().ThrowAsync<UnknownFeatureException>();
    }
}
