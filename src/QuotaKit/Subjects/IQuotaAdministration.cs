using NodaTime;

namespace QuotaKit;

/// <summary>
/// Manages subjects stored by QuotaKit: plans, time zones, billing anchors, per-subject overrides and grants, and the
/// idempotency-key purge, and resets. A plan change applies at once to what is already used in the current period,
/// unless the feature's <see cref="FeatureDefinition.OnUpgrade"/> or <see cref="FeatureDefinition.OnDowngrade"/> rule says
/// otherwise.
/// </summary>
public interface IQuotaAdministration
{
    /// <summary>Sets the subject's plan (creating the subject if needed). Each feature whose limit the change raises or
    /// lowers gets its <see cref="FeatureDefinition.OnUpgrade"/> or <see cref="FeatureDefinition.OnDowngrade"/> rule
    /// applied to its current period (reset, or the higher limit carried over to the period's end), in the same
    /// transaction as the plan.</summary>
    /// <exception cref="UnknownPlanException">The plan is not declared.</exception>
    /// <exception cref="NotSupportedException">A rule other than Keep applies and the subject store cannot apply it.</exception>
    Task SetPlanAsync(string subjectId, string planKey, CancellationToken cancellationToken = default);

    /// <summary>Sets the subject's IANA time zone for calendar periods; <c>null</c> clears it.</summary>
    /// <exception cref="UnknownTimeZoneException">The zone id is unknown.</exception>
    Task SetTimeZoneAsync(string subjectId, string? timeZoneId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the billing anchor. Billing-cycle and lifetime periods of the subject start from it. The open period follows
    /// the schedule-change rule (docs/concepts.md): when usage was already made inside the new cycle, the open period
    /// keeps that usage and ends where the new cycle ends; otherwise it ends where the new cycle starts and the new cycle
    /// counts from zero. Nothing fails or resets early. Usage dated before the new anchor is refused with
    /// <see cref="PeriodOutOfRangeException"/>.
    /// </summary>
    Task SetBillingAnchorAsync(string subjectId, Instant? anchor, CancellationToken cancellationToken = default);

    /// <summary>Replaces the plan's limit for one feature of one subject.</summary>
    Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, CancellationToken cancellationToken = default);

    /// <summary>Removes a per-subject override; the plan's limit applies again.</summary>
    Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default);

    /// <summary>Grants extra units valid in <c>[validFrom, validUntil)</c>.</summary>
    Task AddGrantAsync(
        string subjectId, string featureKey, long amount, Instant validFrom, Instant validUntil, string? reason = null,
        CancellationToken cancellationToken = default);

    /// <summary>The subject's stored context (plan, zone, anchor, overrides and grants).</summary>
    Task<SubjectContext> GetSubjectAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>Deletes idempotency records older than <see cref="QuotaKitOptions.IdempotencyRetention"/>; returns how many.</summary>
    Task<int> PurgeExpiredIdempotencyKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Resets the subject's usage of a feature now, keeping history: the current period's counter ends now with its
    /// usage (it stays in <see cref="IUsageTracker.GetHistoryAsync"/>), and usage counts from zero for the rest of the
    /// period (<see cref="IUsageTracker.GetUsageAsync"/> shows the period from the reset on). Alert thresholds can fire
    /// again. Open reservations made before stop counting against the limit; their commits count in the period they
    /// were made in. See docs/concepts.md, "Resets".
    /// </summary>
    /// <returns>True when usage was reset; false when the subject had none in the current period.</returns>
    /// <exception cref="InvalidSubjectException">The subject id is invalid.</exception>
    /// <exception cref="UnknownFeatureException">The feature is not declared.</exception>
    /// <exception cref="NotSupportedException">The store does not support resets.</exception>
    Task<bool> ResetAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not implement ResetAsync.");

    /// <summary>
    /// Adds a credit block: <paramref name="amount"/> units of the feature the subject can spend once, across periods,
    /// after the plan's allowance of each period is used up (docs/concepts.md, "Credit blocks"). Blocks burn in one order:
    /// the lowest <paramref name="priority"/> first, then the one that ends first, then the oldest. Unlike
    /// <see cref="AddGrantAsync"/> (extra units in every period of its window), a block's units are spent once.
    /// </summary>
    /// <param name="subjectId">The subject.</param>
    /// <param name="featureKey">A counter feature (<see cref="FeatureAggregation.Sum"/>).</param>
    /// <param name="amount">The units; positive.</param>
    /// <param name="validFrom">The first instant the block can be burned; <c>null</c> for now.</param>
    /// <param name="validUntil">The first instant it can no longer be burned; <c>null</c> when it never ends.</param>
    /// <param name="priority">Lower burns first; 0 by default.</param>
    /// <param name="reason">Why it was granted, at most <see cref="CreditBlock.MaxReasonLength"/> characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored block, with its id.</returns>
    /// <exception cref="InvalidSubjectException">The subject id is invalid.</exception>
    /// <exception cref="UnknownFeatureException">The feature is not declared.</exception>
    /// <exception cref="FeatureKindMismatchException">The feature is a gauge.</exception>
    /// <exception cref="InvalidAmountException">The amount is not positive.</exception>
    /// <exception cref="ArgumentException">The window is empty or outside the supported instants, or the reason is too long.</exception>
    /// <exception cref="NotSupportedException">The store does not keep credit blocks.</exception>
    Task<CreditBlock> AddCreditBlockAsync(
        string subjectId, string featureKey, long amount, Instant? validFrom = null, Instant? validUntil = null, int priority = 0,
        string? reason = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not implement AddCreditBlockAsync.");

    /// <summary>
    /// Every credit block of the subject, spent and expired ones included, in burn order, each with what it has burned
    /// (<see cref="CreditBlock.Burned"/>) and what is left (<see cref="CreditBlock.Remaining"/>).
    /// </summary>
    /// <exception cref="InvalidSubjectException">The subject id is invalid.</exception>
    Task<IReadOnlyList<CreditBlock>> GetCreditBlocksAsync(string subjectId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not implement GetCreditBlocksAsync.");
}
