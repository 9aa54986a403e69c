using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// Reservations (issue 15): holds count against the limit, commit and release settle them once, expired holds stop
// counting at the next write without any job. "images" on the free plan: hard limit 3 per UTC day.
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Duration OneMinute = Duration.FromMinutes(1);

    protected IUsageReservations Reservations => UnderTest.Reservations;

    private async Task<Reservation> ReserveAsync(string feature, long amount, Duration? expiresIn = null, UsageOptions? options = null)
    {
        var decision = await Reservations.ReserveAsync(Subject, feature, amount, expiresIn ?? OneMinute, options);
        decision.Granted.Should().BeTrue("the units fit when the test reserves them");
        return decision.Reservation!;
    }

    [Fact]
    public async Task A_hold_counts_against_the_limit_until_it_is_settled()
    {
        var reserved = await Reservations.ReserveAsync(Subject, "images", 2, OneMinute);

        reserved.Granted.Should().BeTrue();
        reserved.Decision.Used.Should().Be(2, "held units are part of used");
        reserved.Reservation!.Amount.Should().Be(2);
        reserved.Reservation.ExpiresAt.Should().Be(Monday0900 + OneMinute);
        (await ConsumeAsync("images", 2)).Allowed.Should().BeFalse("2 held + 2 would pass 3");
        (await ConsumeAsync("images", 1)).Allowed.Should().BeTrue("2 held + 1 fits in 3");
    }

    [Fact]
    public async Task A_reservation_that_does_not_fit_is_refused_and_holds_nothing()
    {
        await ConsumeAsync("images", 2);

        var refused = await Reservations.ReserveAsync(Subject, "images", 2, OneMinute);

        refused.Granted.Should().BeFalse();
        refused.Reservation.Should().BeNull();
        refused.Decision.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (await UsedAsync("images")).Should().Be(2);

        // Had a hold been stored anyway, its expiry would now give back units that were never held.
        Clock.SetTo(Monday0900 + OneMinute);
        (await ConsumeAsync("images")).Used.Should().Be(3);
    }

    [Fact]
    public async Task Committing_fewer_units_than_held_gives_the_rest_back()
    {
        var reservation = await ReserveAsync("images", 3);

        var settled = await Reservations.CommitAsync(reservation, 1);

        settled.State.Should().Be(ReservationState.Committed);
        (settled.HeldAmount, settled.CommittedAmount, settled.Used).Should().Be((3L, 1L, 1L));
        settled.WasAlreadySettled.Should().BeFalse();
        settled.HardLimitExceeded.Should().BeFalse();
        (await ConsumeAsync("images", 2)).Allowed.Should().BeTrue("1 committed + 2 fits in 3");
    }

    [Fact]
    public async Task Committing_more_units_than_held_records_them_all_and_says_the_hard_limit_was_passed()
    {
        var reservation = await ReserveAsync("images", 2);

        var settled = await Reservations.CommitAsync(reservation, 5);

        (settled.CommittedAmount, settled.Used).Should().Be((5L, 5L), "the work used 5: usage is what happened");
        settled.HardLimitExceeded.Should().BeTrue();
        (await ConsumeAsync("images")).Allowed.Should().BeFalse("the counter is past its hard limit");
        (await UsedAsync("images")).Should().Be(5);
    }

    [Fact]
    public async Task A_commit_that_would_overflow_the_counter_is_refused_and_leaves_the_hold_to_settle()
    {
        await Tracker.IncrementAsync(Subject, "exports", long.MaxValue - 10);
        var reservation = await ReserveAsync("exports", 5);
        var usedWithTheHold = await UsedAsync("exports");

        var overflow = () => Reservations.CommitAsync(reservation, long.MaxValue);

        (await overflow.Should().ThrowAsync<InvalidAmountException>()).Which.Message.Should().Contain("would exceed");
        (await UsedAsync("exports")).Should().Be(usedWithTheHold, "nothing was changed");
        var settled = await Reservations.CommitAsync(reservation, 5);
        (settled.State, settled.Used).Should().Be((ReservationState.Committed, long.MaxValue - 5));
    }

    [Fact]
    public async Task Releasing_gives_the_hold_back()
    {
        var reservation = await ReserveAsync("images", 3);

        var released = await Reservations.ReleaseAsync(reservation);

        released.State.Should().Be(ReservationState.Released);
        (released.CommittedAmount, released.Used).Should().Be((0L, 0L));
        (await ConsumeAsync("images", 3)).Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_hold_counts_until_its_expiry_and_not_from_it_on_without_any_job()
    {
        await ReserveAsync("images", 3, OneMinute);

        Clock.SetTo(Monday0900 + OneMinute - Duration.FromMilliseconds(1));
        (await ConsumeAsync("images")).Allowed.Should().BeFalse("a millisecond before its expiry the hold still counts");

        Clock.SetTo(Monday0900 + OneMinute);
        var consumed = await ConsumeAsync("images", 3);
        consumed.Allowed.Should().BeTrue("at its expiry the hold stops counting");
        consumed.Used.Should().Be(3);
    }

    [Fact]
    public async Task A_commit_after_the_expiry_records_nothing_and_answers_expired()
    {
        var reservation = await ReserveAsync("images", 2, OneMinute);
        Clock.SetTo(Monday0900 + Duration.FromMinutes(2));

        var late = await Reservations.CommitAsync(reservation, 2);

        late.State.Should().Be(ReservationState.Expired);
        (late.CommittedAmount, late.Used).Should().Be((0L, 0L));
        (await UsedAsync("images")).Should().Be(0);
        (await Reservations.ReleaseAsync(reservation)).State.Should().Be(ReservationState.Expired, "an expired hold stays expired");
    }

    [Fact]
    public async Task Committing_again_with_the_same_amount_answers_the_first_commit_and_counts_once()
    {
        var reservation = await ReserveAsync("images", 2);
        await Reservations.CommitAsync(reservation, 2);

        var again = await Reservations.CommitAsync(new Reservation(Subject, "images", reservation.Id), 2);

        again.State.Should().Be(ReservationState.Committed);
        again.WasAlreadySettled.Should().BeTrue();
        (again.CommittedAmount, again.Used).Should().Be((2L, 2L));
        (await UsedAsync("images")).Should().Be(2);
    }

    [Fact]
    public async Task Releasing_again_answers_the_first_release_and_gives_back_once()
    {
        await ConsumeAsync("images");
        var reservation = await ReserveAsync("images", 2);
        await Reservations.ReleaseAsync(reservation);

        var again = await Reservations.ReleaseAsync(reservation);

        again.WasAlreadySettled.Should().BeTrue();
        again.Used.Should().Be(1, "the consumed unit stays; the hold was given back once");
    }

    [Fact]
    public async Task A_settlement_that_contradicts_the_first_one_is_refused_and_changes_nothing()
    {
        var committed = await ReserveAsync("images", 2);
        await Reservations.CommitAsync(committed, 1);
        var released = await ReserveAsync("images", 1);
        await Reservations.ReleaseAsync(released);

        await FluentActions.Awaiting(() => Reservations.CommitAsync(committed, 2)).Should().ThrowAsync<ReservationSettledException>()
            .WithMessage("*already committed with 1 units, so it cannot be committed with 2 units*");
        await FluentActions.Awaiting(() => Reservations.ReleaseAsync(committed)).Should().ThrowAsync<ReservationSettledException>()
            .WithMessage("*already committed with 1 units, so it cannot be released*");
        await FluentActions.Awaiting(() => Reservations.CommitAsync(released, 1)).Should().ThrowAsync<ReservationSettledException>()
            .WithMessage("*already released, so it cannot be committed with 1 units*");
        (await UsedAsync("images")).Should().Be(1);
    }

    [Fact]
    public async Task A_reservation_retried_with_its_idempotency_key_holds_once_and_names_the_same_reservation()
    {
        var first = await Reservations.ReserveAsync(Subject, "images", 2, OneMinute, Key("render-7"));
        var retry = await Reservations.ReserveAsync(Subject, "images", 2, OneMinute, Key("render-7"));

        retry.Decision.IsReplay.Should().BeTrue();
        retry.Reservation!.Id.Should().Be(first.Reservation!.Id);
        (await UsedAsync("images")).Should().Be(2);
        (await Reservations.CommitAsync(retry.Reservation, 1)).Used.Should().Be(1);
    }

    [Fact]
    public async Task Settling_a_reservation_the_store_does_not_have_throws_not_found()
    {
        var reservation = await ReserveAsync("images", 1);

        await FluentActions.Awaiting(() => Reservations.CommitAsync(new Reservation(Subject, "images", Guid.NewGuid()), 1))
            .Should().ThrowAsync<ReservationNotFoundException>();
        await FluentActions.Awaiting(() => Reservations.ReleaseAsync(new Reservation(Subject, "api_calls", reservation.Id)))
            .Should().ThrowAsync<ReservationNotFoundException>("a reservation belongs to its feature");
        await FluentActions.Awaiting(() => Reservations.ReleaseAsync(new Reservation(Subject + "-other", "images", reservation.Id)))
            .Should().ThrowAsync<ReservationNotFoundException>("and to its subject");
        (await UsedAsync("images")).Should().Be(1);
    }

    [Fact]
    public async Task Bad_reservation_input_is_refused_before_anything_is_held()
    {
        await FluentActions.Awaiting(() => Reservations.ReserveAsync(Subject, "images", 0, OneMinute)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Reservations.ReserveAsync(Subject, "images", 1, Duration.Zero))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("expiresIn");
        await FluentActions.Awaiting(() => Reservations.ReserveAsync(Subject, "images", 1, Duration.FromDays(32)))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => Reservations.ReserveAsync(Subject, "images", 1, OneMinute, new UsageOptions { At = Monday0900 }))
            .Should().ThrowAsync<InvalidUsageOptionsException>();
        await FluentActions.Awaiting(() => Reservations.ReserveAsync(Subject, "seats", 1, OneMinute)).Should().ThrowAsync<FeatureKindMismatchException>();
        var reservation = await ReserveAsync("images", 1);
        await FluentActions.Awaiting(() => Reservations.CommitAsync(reservation, -1)).Should().ThrowAsync<InvalidAmountException>();

        (await UsedAsync("images")).Should().Be(1, "only the valid reservation holds");
    }

    [Fact]
    public async Task A_commit_that_crosses_an_alert_threshold_alerts_once()
    {
        // api_calls: hard limit 10, thresholds 80% and 100%. The hold of 2 reaches none; the commit of 9 reaches 80%.
        var reservation = await ReserveAsync("api_calls", 2);
        await Reservations.CommitAsync(reservation, 9);
        await Reservations.CommitAsync(reservation, 9);

        UnderTest.Alerts.Should().Equal(new QuotaAlert(Subject, "api_calls", 80, 9, FeatureLimit.Hard(10), MondayUtc, Monday0900));
    }

    [Fact]
    public async Task Settled_holds_are_forgotten_with_idempotency_keys_and_open_ones_are_kept()
    {
        var settled = await ReserveAsync("images", 1, Duration.FromDays(20));
        await Reservations.CommitAsync(settled, 1);
        var open = await ReserveAsync("images", 1, Duration.FromDays(20));

        Clock.SetTo(Monday0900 + Duration.FromDays(8)); // past the 7-day retention
        await Admin.PurgeExpiredIdempotencyKeysAsync();

        await FluentActions.Awaiting(() => Reservations.CommitAsync(settled, 1)).Should().ThrowAsync<ReservationNotFoundException>();
        (await Reservations.CommitAsync(open, 1)).State.Should().Be(ReservationState.Committed, "a hold still open is never purged");
    }

    [Fact]
    public async Task A_reservation_is_decided_by_the_subjects_stored_plan()
    {
        await Admin.SetPlanAsync(Subject, "pro"); // images: 100

        var reserved = await Reservations.ReserveAsync(Subject, "images", 50, OneMinute);

        (reserved.Granted, reserved.Decision.Limit).Should().Be((true, FeatureLimit.Hard(100)));
        (await Reservations.CommitAsync(reserved.Reservation!, 40)).Used.Should().Be(40);
    }

    [Fact]
    public async Task A_commit_counts_in_the_period_the_reservation_was_made_in()
    {
        var reservation = await ReserveAsync("images", 2, Duration.FromDays(2));
        Clock.SetTo(Instant.FromUtc(2025, 3, 11, 9, 0));

        var settled = await Reservations.CommitAsync(reservation, 2);

        settled.Period.Should().Be(MondayUtc);
        (await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End)).Single().Used.Should().Be(2);
        (await UsedAsync("images")).Should().Be(0, "Tuesday's counter is untouched");
    }
}
