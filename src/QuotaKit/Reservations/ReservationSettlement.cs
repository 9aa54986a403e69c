using NodaTime;

namespace QuotaKit;

/// <summary>The answer to <see cref="IUsageReservations.CommitAsync"/> and <see cref="IUsageReservations.ReleaseAsync"/>.</summary>
public sealed class ReservationSettlement
{
    internal ReservationSettlement(
        Reservation reservation, ReservationState state, bool wasAlreadySettled, long heldAmount, long committedAmount, long used,
        FeatureLimit limit, UsagePeriod period, Instant expiresAt)
    {
        Reservation = reservation;
        State = state;
        WasAlreadySettled = wasAlreadySettled;
        HeldAmount = heldAmount;
        CommittedAmount = committedAmount;
        Used = used;
        Limit = limit;
        Period = period;
        ExpiresAt = expiresAt;
    }

    /// <summary>The reservation.</summary>
    public Reservation Reservation { get; }

    /// <summary>Committed, Released or Expired (a commit after the expiry answers Expired and records nothing).</summary>
    public ReservationState State { get; }

    /// <summary>
    /// True when an earlier call settled it: this call changed nothing and answers that settlement. When QuotaKit retries
    /// a settle whose reply was lost and finds the hold expired, this is true too: expired holds are also given back
    /// before every write, so the retry cannot tell that from its own first attempt.
    /// </summary>
    public bool WasAlreadySettled { get; }

    /// <summary>The units the reservation held.</summary>
    public long HeldAmount { get; }

    /// <summary>The units recorded as usage (0 unless committed).</summary>
    public long CommittedAmount { get; }

    /// <summary>The counter's units right after the settlement, other holds included.</summary>
    public long Used { get; }

    /// <summary>How many of <see cref="Used"/> the period drew from credit blocks, right after the settlement; 0 without
    /// blocks.</summary>
    public long BlocksBurned { get; init; }

    /// <summary>The limit as of the settlement.</summary>
    public FeatureLimit Limit { get; }

    /// <summary>The period the reservation counts in: the one it was made in.</summary>
    public UsagePeriod Period { get; }

    /// <summary>When the hold expired or would have.</summary>
    public Instant ExpiresAt { get; }

    /// <summary>True when the commit took the plan's part of the counter past a hard limit (more was used than held, and
    /// credit blocks could not cover it). New consumes and reservations are refused until the period ends or units are
    /// refunded.</summary>
    public bool HardLimitExceeded => Limit is { Kind: LimitKind.Limited, IsSoft: false } && Used - BlocksBurned > Limit.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Reservation}: {State}, committed {CommittedAmount} of {HeldAmount} held, used {Used}";
}
