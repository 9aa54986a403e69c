using NodaTime;

namespace QuotaKit;

/// <summary>
/// A hold of units, made by <see cref="IUsageReservations.ReserveAsync"/>. To settle it from another process, store
/// <see cref="SubjectId"/>, <see cref="FeatureKey"/> and <see cref="Id"/> and create it again with the constructor.
/// </summary>
public sealed class Reservation
{
    /// <summary>Identifies a reservation made earlier (for example by another instance of the application).</summary>
    /// <exception cref="ArgumentException">The subject or feature key is empty, or the id is <see cref="Guid.Empty"/>.</exception>
    public Reservation(string subjectId, string featureKey, Guid id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureKey);
        if (id == Guid.Empty)
        {
            throw new ArgumentException("A reservation id is never Guid.Empty; pass the Id of the reservation ReserveAsync returned.", nameof(id));
        }

        SubjectId = subjectId;
        FeatureKey = featureKey;
        Id = id;
    }

    internal Reservation(string subjectId, string featureKey, Guid id, long amount, Instant? expiresAt)
        : this(subjectId, featureKey, id)
    {
        Amount = amount;
        ExpiresAt = expiresAt;
    }

    /// <summary>The subject.</summary>
    public string SubjectId { get; }

    /// <summary>The feature.</summary>
    public string FeatureKey { get; }

    /// <summary>The reservation's id (stable across retries with one idempotency key).</summary>
    public Guid Id { get; }

    /// <summary>The units held; null when the reservation was created again from its id.</summary>
    public long? Amount { get; }

    /// <summary>When the hold stops counting unless settled; null when the reservation was created again from its id.</summary>
    public Instant? ExpiresAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"reservation {Id} of '{FeatureKey}' for subject '{SubjectId}'";
}
