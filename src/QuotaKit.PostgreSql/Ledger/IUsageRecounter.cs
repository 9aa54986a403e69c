namespace QuotaKit.PostgreSql;

/// <summary>
/// Recomputes counters from the <c>usage_events</c> ledger and reports where they differ (the successor of hand-written
/// <c>sync_status</c> / <c>discrepancy_count</c> columns). Registered by <c>UsePostgreSql</c>.
/// </summary>
/// <remarks>
/// The recount is exact only for counters whose every write is in the ledger: turn on
/// <see cref="QuotaKitPostgreSqlOptions.RecordAllEvents"/> before the counter's first write (otherwise only calls with an
/// idempotency key or metadata are recorded). Events are replayed in ledger order (their id): sums
/// (consume, increment) are exact in any order; refunds that clamp at zero, and gauges (set, raise), depend on the order,
/// which for calls with an idempotency key is the order their keys were claimed, not always the order they took the
/// counter's lock. docs/reporting.md states the rule in full.
/// </remarks>
public interface IUsageRecounter
{
    /// <summary>
    /// Recounts every counter in <paramref name="scope"/>: the expected value is the ledger's applied events replayed from
    /// zero, compared with the stored <c>used</c>. With <see cref="RecountOptions.Repair"/>, each counter that differs is
    /// set to the expected value under the row lock the hot path takes (<c>SELECT ... FOR UPDATE</c>), recomputed under that
    /// lock, so concurrent usage calls are neither lost nor counted twice.
    /// </summary>
    /// <param name="scope">Which counters: by subject, feature and period, or <see cref="RecountScope.Everything"/>.</param>
    /// <param name="options">Repair and progress; <c>null</c> reports only.</param>
    /// <param name="cancellationToken">Stops between counters; repairs already committed stay.</param>
    /// <exception cref="UnknownFeatureException">The scope names a feature that is not declared.</exception>
    /// <exception cref="InvalidSubjectException">The scope names an empty subject.</exception>
    /// <exception cref="ArgumentException">The scope's period ends before it starts.</exception>
    /// <exception cref="QuotaStoreUnavailableException">The database could not be reached.</exception>
    Task<RecountReport> RecountAsync(RecountScope scope, RecountOptions? options = null, CancellationToken cancellationToken = default);
}
