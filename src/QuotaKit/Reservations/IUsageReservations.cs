using NodaTime;

namespace QuotaKit;

/// <summary>
/// Reservations, for work whose cost is known only at the end (an LLM call, a voice session, a render): hold units now,
/// atomically against the limit, then commit what the work actually used or release the hold. Held units count
/// against the limit like consumed units, so concurrent reservations and consumes never pass a hard limit together.
/// A hold that is neither committed nor released stops counting when it expires, with no background job. Resolve it
/// from dependency injection (registered by <c>AddQuotaKit</c>); see docs/concepts.md, "Reservations".
/// </summary>
public interface IUsageReservations
{
    /// <summary>
    /// Holds <paramref name="amount"/> units of <paramref name="featureKey"/> for <paramref name="subjectId"/> until
    /// <paramref name="expiresIn"/> from now, if they fit under the limit now (decided exactly as
    /// <see cref="IUsageTracker.TryConsumeAsync"/> decides). An idempotency key in <paramref name="options"/> makes a retry
    /// return the first call's reservation instead of holding again.
    /// </summary>
    /// <returns>The decision, with the reservation when it was granted.</returns>
    /// <exception cref="InvalidAmountException"><paramref name="amount"/> is not positive.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expiresIn"/> is not between one second and 31 days.</exception>
    /// <exception cref="InvalidUsageOptionsException"><paramref name="options"/> is invalid, or sets <see cref="UsageOptions.At"/>
    /// (a hold starts now).</exception>
    /// <exception cref="NotSupportedException">The configured store does not support reservations.</exception>
    Task<ReservationDecision> ReserveAsync(
        string subjectId, string featureKey, long amount, Duration expiresIn, UsageOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Turns the hold into usage of <paramref name="actualAmount"/> units, in the period the reservation was made in.
    /// Fewer units than held give the rest back; more are recorded too (the work is done), even past a hard limit, and
    /// <see cref="ReservationSettlement.HardLimitExceeded"/> says so. A commit after the hold expired records nothing and
    /// answers <see cref="ReservationState.Expired"/>. Committing again with the same amount answers the first commit.
    /// </summary>
    /// <exception cref="InvalidAmountException"><paramref name="actualAmount"/> is negative.</exception>
    /// <exception cref="ReservationNotFoundException">No such reservation of this subject and feature.</exception>
    /// <exception cref="ReservationSettledException">The reservation was released, or committed with another amount.</exception>
    Task<ReservationSettlement> CommitAsync(Reservation reservation, long actualAmount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives the hold back. Releasing again, or after the hold expired, answers the release (or the expiry) and changes nothing.
    /// </summary>
    /// <exception cref="ReservationNotFoundException">No such reservation of this subject and feature.</exception>
    /// <exception cref="ReservationSettledException">The reservation was committed.</exception>
    Task<ReservationSettlement> ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default);
}
