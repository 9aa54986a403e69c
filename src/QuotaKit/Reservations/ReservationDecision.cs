namespace QuotaKit;

/// <summary>The answer to <see cref="IUsageReservations.ReserveAsync"/>.</summary>
public sealed class ReservationDecision
{
    internal ReservationDecision(UsageDecision decision, Reservation? reservation)
    {
        Decision = decision;
        Reservation = reservation;
    }

    /// <summary>The decision on the held units, with the counter right after it (held units included in
    /// <see cref="UsageDecision.Used"/>).</summary>
    public UsageDecision Decision { get; }

    /// <summary>Whether the units are held.</summary>
    public bool Granted => Reservation is not null;

    /// <summary>The reservation to commit or release; null when refused.</summary>
    public Reservation? Reservation { get; }
}
