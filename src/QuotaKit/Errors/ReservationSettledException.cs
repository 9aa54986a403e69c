namespace QuotaKit;

/// <summary>Thrown when a reservation is settled in a way that contradicts how it was settled already: released after a
/// commit, committed after a release, or committed again with another amount.</summary>
public sealed class ReservationSettledException : QuotaKitException
{
    /// <summary>Creates the exception with the earlier settlement.</summary>
    public ReservationSettledException(ReservationSettlement earlier, string attempted)
        : base($"The {earlier.Reservation} is already {earlier.State.ToString().ToLowerInvariant()}" +
               (earlier.State == ReservationState.Committed ? $" with {earlier.CommittedAmount} units" : "") +
               $", so it cannot be {attempted}. Nothing was changed. Settle a reservation once; retry with the same call.")
    {
        Earlier = earlier;
    }

    /// <summary>How the reservation was settled.</summary>
    public ReservationSettlement Earlier { get; }
}
