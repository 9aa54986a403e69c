namespace QuotaKit;

/// <summary>Thrown when a commit or release names a reservation the store does not have for that subject and feature.</summary>
public sealed class ReservationNotFoundException : QuotaKitException
{
    /// <summary>Creates the exception for the reservation.</summary>
    public ReservationNotFoundException(Reservation reservation)
        : base($"There is no {reservation}. Nothing was changed. Pass the reservation ReserveAsync returned (the same subject, " +
               "feature and id); settled reservations are forgotten with idempotency keys (ForgetIdempotencyKeysAsync).")
    {
        Reservation = reservation;
    }

    /// <summary>The reservation asked for.</summary>
    public Reservation Reservation { get; }
}
