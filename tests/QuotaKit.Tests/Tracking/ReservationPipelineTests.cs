using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// The tracker's side of reservations, on a store that fails settlements on cue: what it refuses before holding
/// anything, and how a settle is retried (once, on any transient failure, because a settled hold answers its
/// settlement) and answered when the retry finds what its lost first attempt did.
/// </summary>
public sealed class ReservationPipelineTests : IAsyncDisposable
{
    private const string Subject = "reserving-subject";
    private static readonly Duration FiveMinutes = Duration.FromMinutes(5);
    private readonly FakeClock _clock = new(Instant.FromUtc(2025, 3, 10, 9, 0));
    private readonly HoldSettlingStore _store = new();
    private readonly ServiceProvider _services;

    public ReservationPipelineTests()
    {
        _services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("tokens", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("tokens", 100))
                .UseDefaultPlan("free")
                .UseClock(_clock)
                .UseStore(_ => _store, _ => new InMemorySubjectStore()))
            .Services.BuildServiceProvider();
    }

    private IUsageReservations Reservations => _services.GetRequiredService<IUsageReservations>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task Commit_and_release_refuse_a_missing_reservation_by_naming_the_argument()
    {
        var commit = () => Reservations.CommitAsync(null!, 1);
        var release = () => Reservations.ReleaseAsync(null!);

        await commit.Should().ThrowAsync<ArgumentNullException>().WithParameterName("reservation");
        await release.Should().ThrowAsync<ArgumentNullException>().WithParameterName("reservation");
    }

    [Fact]
    public async Task A_commit_of_nothing_is_accepted_and_a_negative_one_is_refused_saying_what_to_do_instead()
    {
        var reservation = await ReserveAsync(5);

        var negative = () => Reservations.CommitAsync(reservation, -1);

        (await negative.Should().ThrowAsync<InvalidAmountException>()).Which.Message.Should().ContainAll("cannot be negative", "release");
        var nothing = await Reservations.CommitAsync(reservation, 0);
        (nothing.State, nothing.CommittedAmount, nothing.Used).Should().Be((ReservationState.Committed, 0L, 0L));
    }

    [Fact]
    public async Task Holds_of_exactly_one_second_and_of_31_days_are_accepted_and_one_outside_is_refused_naming_the_range()
    {
        (await Reservations.ReserveAsync(Subject, "tokens", 1, Duration.FromSeconds(1))).Reservation.Should().NotBeNull();
        (await Reservations.ReserveAsync(Subject, "tokens", 1, Duration.FromDays(31))).Reservation.Should().NotBeNull();

        var tooShort = () => Reservations.ReserveAsync(Subject, "tokens", 1, Duration.FromSeconds(1) - Duration.Epsilon);
        var tooLong = () => Reservations.ReserveAsync(Subject, "tokens", 1, Duration.FromDays(31) + Duration.Epsilon);

        (await tooShort.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("1 second to 31 days");
        await tooLong.Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("expiresIn");
    }

    [Fact]
    public async Task A_reservation_at_a_chosen_instant_is_refused_naming_the_option()
    {
        var act = () => Reservations.ReserveAsync(Subject, "tokens", 1, FiveMinutes, new UsageOptions { At = _clock.GetCurrentInstant() });

        (await act.Should().ThrowAsync<InvalidUsageOptionsException>()).Which.Message.Should().Contain("UsageOptions.At");
    }

    [Fact]
    public async Task A_commit_whose_reply_was_lost_after_it_applied_is_retried_and_answers_as_the_first_attempt_would_have()
    {
        var reservation = await ReserveAsync(5);
        _store.SettleFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var settlement = await Reservations.CommitAsync(reservation, 3);

        (settlement.State, settlement.CommittedAmount, settlement.WasAlreadySettled).Should().Be((ReservationState.Committed, 3L, false));
        (_store.SettleAttempts, _store.Retries).Should().Be((2, 1));
    }

    [Fact]
    public async Task A_release_whose_reply_was_lost_after_it_applied_is_retried_and_answers_as_the_first_attempt_would_have()
    {
        var reservation = await ReserveAsync(5);
        _store.SettleFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var settlement = await Reservations.ReleaseAsync(reservation);

        (settlement.State, settlement.Used, settlement.WasAlreadySettled).Should().Be((ReservationState.Released, 0L, false));
        _store.Retries.Should().Be(1);
    }

    [Fact]
    public async Task A_retried_commit_that_finds_a_different_amount_committed_is_refused_as_a_contradiction()
    {
        var reservation = await ReserveAsync(5);
        await Reservations.CommitAsync(reservation, 2);
        _store.SettleFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var act = () => Reservations.CommitAsync(reservation, 3);

        (await act.Should().ThrowAsync<ReservationSettledException>()).Which.Message.Should().Contain("committed with 2 units");
        _store.Retries.Should().Be(1);
    }

    [Fact]
    public async Task A_retried_commit_that_finds_the_same_amount_committed_by_an_earlier_call_answers_it_as_its_own()
    {
        // The retry cannot tell an earlier identical commit from its own lost attempt; both are the same settlement.
        var reservation = await ReserveAsync(5);
        await Reservations.CommitAsync(reservation, 3);
        _store.SettleFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var settlement = await Reservations.CommitAsync(reservation, 3);

        (settlement.CommittedAmount, settlement.WasAlreadySettled).Should().Be((3L, false));
    }

    [Fact]
    public async Task A_retried_commit_that_finds_the_hold_expired_answers_it_as_already_settled()
    {
        // Expired holds are given back before every write too, so the retry cannot tell its own attempt from that.
        var reservation = await ReserveAsync(5);
        _clock.Advance(FiveMinutes);
        _store.SettleFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var settlement = await Reservations.CommitAsync(reservation, 0);

        (settlement.State, settlement.CommittedAmount, settlement.WasAlreadySettled).Should().Be((ReservationState.Expired, 0L, true));
    }

    [Fact]
    public async Task A_settle_that_failed_for_good_is_not_retried()
    {
        var reservation = await ReserveAsync(5);
        var failure = ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false);
        _store.SettleFailures.Enqueue((false, failure));

        var act = () => Reservations.CommitAsync(reservation, 3);

        (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.Should().BeSameAs(failure);
        (_store.SettleAttempts, _store.Retries).Should().Be((1, 0));
    }

    [Fact]
    public async Task A_replayed_reservation_the_store_answers_without_its_call_id_is_refused_saying_what_is_missing()
    {
        var key = UsageOptions.WithIdempotencyKey("render-1");
        await Reservations.ReserveAsync(Subject, "tokens", 5, FiveMinutes, key);
        _store.ForgetsCallIds = true;

        var replay = () => Reservations.ReserveAsync(Subject, "tokens", 5, FiveMinutes, key);

        (await replay.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("StoredUsageCall.CallId");
    }

    private async Task<Reservation> ReserveAsync(long amount) =>
        (await Reservations.ReserveAsync(Subject, "tokens", amount, FiveMinutes)).Reservation!;
}
