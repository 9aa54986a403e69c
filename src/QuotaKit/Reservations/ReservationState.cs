namespace QuotaKit;

/// <summary>Where a reservation stands.</summary>
public enum ReservationState
{
    /// <summary>Holding its units until it is settled or expires.</summary>
    Held = 0,

    /// <summary>Committed: the actual amount became usage.</summary>
    Committed = 1,

    /// <summary>Released: its units were given back.</summary>
    Released = 2,

    /// <summary>Expired before it was settled: its units were given back and nothing was committed.</summary>
    Expired = 3,
}
