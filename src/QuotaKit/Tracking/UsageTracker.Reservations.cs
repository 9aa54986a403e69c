using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace QuotaKit;

// Reservations (IUsageReservations): a reserve is the pipeline's consume with a hold attached, so it is validated,
// resolved, decided, retried and alerted exactly as TryConsumeAsync is; a settle is one store call on the hold.
public sealed partial class UsageTracker
{
    private static readonly Duration ShortestHold = Duration.FromSeconds(1);
    private static readonly Duration LongestHold = Duration.FromDays(31);

    /// <inheritdoc />
    public async Task<ReservationDecision> ReserveAsync(
        string subjectId, string featureKey, long amount, Duration expiresIn, UsageOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var feature = ValidateWrite(UsageOperation.Consume, subjectId, featureKey, amount, options);
        ValidateHold(expiresIn, options);
        RequireReservations();

        var (subject, guessed) = await ResolveForWriteAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var expiresAt = now + expiresIn;
        var (write, result) = await WriteWithCurrentSubjectAsync(
            UsageOperation.Consume, subjectId, feature, amount, options, subject, guessed, now, now, cancellationToken, expiresAt).ConfigureAwait(false);
        var decision = ToDecision(write, result);
        await AfterCommitAsync(write, result, decision, started).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            return new ReservationDecision(decision, reservation: null);
        }

        // A replay answers the first call, whose call id is the hold's id; its expiry is that call's, not known here.
        var reservation = result.Replay is { } first
            ? new Reservation(subjectId, featureKey, first.CallId ?? throw MissingCallId(write), first.Amount, expiresAt: null)
            : new Reservation(subjectId, featureKey, write.CallId, amount, expiresAt);
        return new ReservationDecision(decision, reservation);
    }

    /// <inheritdoc />
    public Task<ReservationSettlement> CommitAsync(Reservation reservation, long actualAmount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (actualAmount < 0)
        {
            throw new InvalidAmountException(actualAmount, "the actual amount of a commit cannot be negative. Commit 0 or more units, or release the reservation.");
        }

        return SettleAsync(reservation, commit: true, actualAmount, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ReservationSettlement> ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return SettleAsync(reservation, commit: false, actualAmount: 0, cancellationToken);
    }

    private async Task<ReservationSettlement> SettleAsync(Reservation reservation, bool commit, long actualAmount, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        RequireReservations();
        var feature = _runtime.GetFeature(reservation.FeatureKey);
        var subject = await ResolveAsync(reservation.SubjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var limit = _runtime.GetLimit(subject, feature.Key, now);
        var request = new HoldSettleRequest(reservation, commit, actualAmount, limit, _runtime.GetAlertThresholds(feature), now);

        var (result, retried) = await SettleWithRetryAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.Found)
        {
            throw new ReservationNotFoundException(reservation);
        }

        // The tracker's own retry that finds the settlement its lost first attempt made answers as the first attempt would have.
        var settledByThisCall = result.Changed || (retried && SettlesAsAsked(request, result));
        var settlement = new ReservationSettlement(
            reservation, result.State, !settledByThisCall, result.HeldAmount, result.SettledAmount, result.Used, limit, result.Period, result.ExpiresAt)
        {
            BlocksBurned = result.BlocksBurned,
        };
        ThrowIfContradicts(request, settlement);

        var operation = commit ? "commit" : "release";
        if (result.Changed && result.State == ReservationState.Committed && result.SettledAmount > 0)
        {
            _metrics.RecordUnits(feature.Key, result.SettledAmount);
        }

        _metrics.RecordCall(operation, feature.Key, allowed: true, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LogSettlement(operation, reservation.Id, reservation.SubjectId, feature.Key, settlement.State, settlement.CommittedAmount, settlement.Used,
            settlement.WasAlreadySettled);
        if (result.Changed && result.AlertLevelAfter > result.AlertLevelBefore)
        {
            foreach (var threshold in AlertThresholds.NewlyCrossed(request.AlertThresholdArray, result.AlertLevelBefore, result.AlertLevelAfter))
            {
                await _alerts.DispatchAsync(new QuotaAlert(reservation.SubjectId, feature.Key, threshold, result.Used, limit, result.Period, now))
                    .ConfigureAwait(false);
            }
        }

        return settlement;
    }

    // A settle is idempotent (a settled hold answers its settlement), so it is retried once on any transient failure,
    // even when the first attempt's outcome is unknown.
    private async Task<(HoldSettleResult Result, bool Retried)> SettleWithRetryAsync(HoldSettleRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return (await _store.SettleHoldAsync(request, cancellationToken).ConfigureAwait(false), false);
        }
        catch (QuotaStoreUnavailableException first) when (first.IsTransient)
        {
            _store.PrepareRetry();
            return (await _store.SettleHoldAsync(request, cancellationToken).ConfigureAwait(false), true);
        }
    }

    private static bool SettlesAsAsked(HoldSettleRequest request, HoldSettleResult result) => request.Commit
        ? result.State == ReservationState.Committed && result.SettledAmount == request.ActualAmount
        : result.State == ReservationState.Released;

    private static void ThrowIfContradicts(HoldSettleRequest request, ReservationSettlement settlement)
    {
        var contradicts = settlement.State switch
        {
            ReservationState.Committed => !request.Commit || settlement.CommittedAmount != request.ActualAmount,
            ReservationState.Released => request.Commit,
            _ => false,
        };
        if (contradicts)
        {
            throw new ReservationSettledException(settlement, request.Commit ? $"committed with {request.ActualAmount} units" : "released");
        }
    }

    private void RequireReservations()
    {
        if (!_store.SupportsReservations)
        {
            throw new NotSupportedException(
                $"The configured usage store ({_store.GetType().Name}) does not support reservations. Use the PostgreSQL or the in-memory store, " +
                "or override UsageStore.SupportsReservations and SettleHoldAsync in yours.");
        }
    }

    private static void ValidateHold(Duration expiresIn, UsageOptions? options)
    {
        if (expiresIn < ShortestHold || expiresIn > LongestHold)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expiresIn), expiresIn, $"A reservation holds its units for {ShortestHold.TotalSeconds:0} second to {LongestHold.Days} days; pass a duration in that range.");
        }

        if (options?.At is not null)
        {
            throw new InvalidUsageOptionsException("a reservation holds units from now; UsageOptions.At cannot be set for ReserveAsync.");
        }
    }

    private static InvalidOperationException MissingCallId(UsageWrite write) =>
        new($"The store answered a replay of the reservation {write} without the first call's id (StoredUsageCall.CallId), so the reservation cannot be named.");

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "{Operation} of reservation {ReservationId} of {FeatureKey} by {SubjectId}: {State}, committed {Committed}, used {Used}, already settled {AlreadySettled}")]
    private partial void LogSettlement(
        string operation, Guid reservationId, string subjectId, string featureKey, ReservationState state, long committed, long used, bool alreadySettled);
}
