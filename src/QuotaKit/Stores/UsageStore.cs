using NodaTime;

namespace QuotaKit;

/// <summary>
/// The storage contract for usage: counters, the usage-event ledger and idempotency keys. A store persists, and decides
/// each write atomically; everything else (argument checks, subjects, limits, periods, alerts, metrics, logging and the
/// retry policy) is done once, by <see cref="UsageTracker"/>, for every store.
/// </summary>
/// <remarks>
/// <para>
/// To write a store, derive from this class and from <see cref="SubjectStore"/>, and register both with
/// <see cref="QuotaKitBuilder.UseStore{TUsageStore, TSubjectStore}"/>. The tracker calls the store only with validated
/// arguments. docs/architecture.md describes the contract step by step, and QuotaKit.Testing's in-memory store is a
/// complete implementation in about 150 lines.
/// </para>
/// <para>
/// Failures: throw <see cref="QuotaStoreUnavailableException"/> for any storage failure, saying whether a write may
/// have committed (<see cref="QuotaStoreUnavailableException.OutcomeUnknown"/>) and whether it is worth retrying
/// (<see cref="QuotaStoreUnavailableException.IsTransient"/>); the tracker retries a transient failure once when that is
/// safe. Throw <see cref="InvalidAmountException"/> when a counter would exceed <see cref="long.MaxValue"/>.
/// </para>
/// </remarks>
public abstract class UsageStore
{
    /// <summary>
    /// Applies <paramref name="write"/> atomically: claims its idempotency key (a key already stored for the subject makes
    /// this a replay: return <see cref="UsageWriteResult.Replayed"/> and change nothing), locks the counter of the write's
    /// period (creating it for the first write of the period), decides with <see cref="UsageWrite.Apply"/> against the
    /// value it holds under that lock, stores the new value, the limit's number and the alert level
    /// (<see cref="UsageWrite.AlertLevelAt"/>, never lowered), and records the event when
    /// <see cref="UsageWrite.RecordEvent"/> or a key asks for it. Concurrent writes of one counter must be serialised, so
    /// that no hard limit is ever overshot, also across processes when the store is shared.
    /// </summary>
    /// <remarks>
    /// A write refused on a counter that does not exist yet creates nothing. When the period is new and a stored period
    /// of the same subject and feature contains its start (the subject's schedule changed), the stored period ends where
    /// the new one starts, so that periods never overlap.
    /// </remarks>
    public abstract ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken);

    /// <summary>The usage stored for one subject and feature in the period starting at <paramref name="periodStart"/>; 0 when none.</summary>
    public abstract Task<long> ReadUsedAsync(string subjectId, string featureKey, Instant periodStart, CancellationToken cancellationToken);

    /// <summary>
    /// The usage stored for one subject in several counters at once (a usage page), in one round trip where the store
    /// has round trips: element <c>i</c> of the answer is the usage of <paramref name="featureKeys"/>[i] in the period
    /// starting at <paramref name="periodStarts"/>[i], 0 when none.
    /// </summary>
    public abstract Task<IReadOnlyList<long>> ReadUsedAsync(
        string subjectId, IReadOnlyList<string> featureKeys, IReadOnlyList<Instant> periodStarts, CancellationToken cancellationToken);

    /// <summary>Every stored period of one subject and feature that overlaps <paramref name="range"/>, oldest first.</summary>
    public abstract Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the idempotency keys of calls recorded before <paramref name="recordedBefore"/> (a later call with such a
    /// key counts again); returns how many were forgotten. Stores that keep a ledger keep its rows.
    /// </summary>
    public abstract Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Called by the tracker before it retries a call that failed with a transient <see cref="QuotaStoreUnavailableException"/>:
    /// drop connections that may be dead (after a server restart or a terminated session). Does nothing by default.
    /// </summary>
    public virtual void PrepareRetry()
    {
    }
}
