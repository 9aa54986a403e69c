using NodaTime;

namespace QuotaKit.Testing;

/// <summary>A reservation's hold in the in-memory store, as a row of <c>quotakit.usage_holds</c> holds it.</summary>
internal sealed class InMemoryHold(Guid id, InMemoryCounter counter, long amount, Instant expiresAt)
{
    public Guid Id { get; } = id;

    /// <summary>The counter the hold's units are in (the period the reservation was made in).</summary>
    public InMemoryCounter Counter { get; } = counter;

    public long Amount { get; } = amount;

    public Instant ExpiresAt { get; } = expiresAt;

    public ReservationState State { get; private set; } = ReservationState.Held;

    public long SettledAmount { get; private set; }

    public Instant? SettledAt { get; private set; }

    public bool HasExpiredAt(Instant now) => State == ReservationState.Held && ExpiresAt <= now;

    /// <summary>Gives the units back, to the credit blocks the period burned first (the last burned first), then the
    /// plan: released, or expired.</summary>
    public void GiveBack(ReservationState state, Instant now)
    {
        Counter.Burns.GiveBack(Amount);
        Counter.Used = Math.Max(Counter.Used - Amount, 0);
        (State, SettledAmount, SettledAt) = (state, 0, now);
    }

    /// <summary>Replaces the held units with the actual amount; units not used go back to the credit blocks the period
    /// burned first, as a refund's do. The store burns what a commit of more than held needs.</summary>
    /// <exception cref="OverflowException">The counter would exceed <see cref="long.MaxValue"/>; nothing was changed.</exception>
    public void Commit(long actualAmount, Instant now)
    {
        var usedAfter = checked(Math.Max(Counter.Used - Amount, 0) + actualAmount);
        if (actualAmount < Amount)
        {
            Counter.Burns.GiveBack(Amount - actualAmount);
        }

        Counter.Used = usedAfter;
        Counter.LastWriteAt = now;
        (State, SettledAmount, SettledAt) = (ReservationState.Committed, actualAmount, now);
    }
}
