using NodaTime;

namespace QuotaKit;

/// <summary>
/// Records and checks usage of features by subjects. Every write is one atomic operation: the limit check and the
/// increment cannot be separated, so concurrent calls never overshoot a hard limit.
/// </summary>
public interface IUsageTracker
{
    /// <summary>
    /// Consumes <paramref name="amount"/> units if the hard limit allows it, otherwise consumes nothing and says why.
    /// Call it before expensive work.
    /// </summary>
    /// <exception cref="UnknownFeatureException">The feature is not declared.</exception>
    /// <exception cref="InvalidSubjectException">The subject id is empty, too long or contains NUL.</exception>
    /// <exception cref="InvalidAmountException">The amount is not positive.</exception>
    /// <exception cref="IdempotencyConflictException">The idempotency key was used for a different call.</exception>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; <see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether the write may have applied. Retrying with the same idempotency key is always safe.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the write applied completely or not at all. Retry with the same idempotency key to find out.</exception>
    Task<UsageDecision> TryConsumeAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="amount"/> units even past the limit (metering, overage); the decision says whether a soft or
    /// hard limit is now exceeded. Only a disabled feature is refused.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; <see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether the write may have applied. Retrying with the same idempotency key is always safe.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the write applied completely or not at all. Retry with the same idempotency key to find out.</exception>
    Task<UsageDecision> IncrementAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gives back <paramref name="amount"/> units (a negative adjustment); usage never goes below zero.</summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; <see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether the write may have applied. Retrying with the same idempotency key is always safe.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the write applied completely or not at all. Retry with the same idempotency key to find out.</exception>
    Task<UsageDecision> RefundAsync(
        string subjectId, string featureKey, long amount, UsageOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers "would consuming <paramref name="amount"/> be allowed now?" without writing anything (no counter, no event,
    /// no alert). The decision's <see cref="UsageDecision.Used"/> is the current usage, not usage after the amount.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; nothing was written.</exception>
    Task<UsageDecision> CheckAsync(
        string subjectId, string featureKey, long amount = 1, Instant? at = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a gauge value: for <see cref="FeatureAggregation.Last"/> features it becomes the value; for
    /// <see cref="FeatureAggregation.Max"/> features the value rises to it if higher. Never refused.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; <see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether the write may have applied. Retrying with the same idempotency key is always safe.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the write applied completely or not at all. Retry with the same idempotency key to find out.</exception>
    Task<UsageDecision> SetGaugeAsync(
        string subjectId, string featureKey, long value, UsageOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every declared feature's usage in its current period for the subject, in one query, ordered by feature key.
    /// Features whose periods start from a billing anchor (billing cycles, lifetime) are left out while the subject has none.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; nothing was written.</exception>
    Task<IReadOnlyList<FeatureUsage>> GetUsageAsync(string subjectId, Instant? at = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Usage of one feature in every stored period that overlaps <c>[from, to)</c>, oldest first. The range is cut to
    /// the instants QuotaKit stores (0001-01-01 to 9999-12-31 UTC), so <c>[Instant.MinValue, Instant.MaxValue)</c> asks
    /// for all history.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store failed; nothing was written.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
        Justification = "Shipped in 0.1.0: renaming 'to' would break callers that name the argument.")]
    Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default);
}
