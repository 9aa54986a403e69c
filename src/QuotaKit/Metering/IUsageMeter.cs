namespace QuotaKit;

/// <summary>
/// Records usage in bulk (metering: API calls, tokens, events from a queue): up to <see cref="MaxRecords"/> records of
/// mixed subjects and features in one call, written in one round trip and one transaction per chunk of
/// <see cref="ChunkSize"/>, with a result per record. Resolve it from the container next to <see cref="IUsageTracker"/>.
/// </summary>
public interface IUsageMeter
{
    /// <summary>The most records one <see cref="RecordAsync"/> call takes.</summary>
    const int MaxRecords = 10_000;

    /// <summary>How many records go to the store in one round trip and one transaction.</summary>
    const int ChunkSize = 1_000;

    /// <summary>
    /// Records each record as <see cref="IUsageTracker.IncrementAsync"/> would (counted even past the limit; only a
    /// disabled feature refuses it), and answers one <see cref="UsageRecordResult"/> per record, in order. Records of one
    /// counter are decided in list order; a record whose idempotency key was already used (also earlier in the same list)
    /// is a replay. Alerts fire after each chunk commits, as for single calls.
    /// </summary>
    /// <remarks>
    /// A bad record (unknown feature, invalid subject, amount or options, an idempotency conflict, a counter that would
    /// exceed <see cref="long.MaxValue"/>) fails alone: its result carries the exception it would have thrown, and the
    /// other records are written. A store failure fails the records of its chunk only, and nothing of that chunk is
    /// half-written: each of its results carries the <see cref="QuotaStoreUnavailableException"/>, whose
    /// <see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether the chunk may have committed. Retrying
    /// records with idempotency keys is always safe.
    /// </remarks>
    /// <param name="records">1 to <see cref="MaxRecords"/> records.</param>
    /// <param name="cancellationToken">Cancels the call. Chunks already written stay written and keep their results;
    /// the records of chunks not sent are answered with an <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="records"/> is empty or has more than <see cref="MaxRecords"/> records.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before anything was sent.</exception>
    Task<IReadOnlyList<UsageRecordResult>> RecordAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default);
}
