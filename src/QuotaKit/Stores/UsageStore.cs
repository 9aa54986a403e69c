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
    /// period (creating it for the first write of the period), decides with <see cref="UsageWrite.Apply(long)"/> against the
    /// value it holds under that lock, stores the new value, the limit's number and the alert level
    /// (<see cref="UsageWrite.AlertLevelAt"/>, never lowered), and records the event when
    /// <see cref="UsageWrite.RecordEvent"/> or a key asks for it. Concurrent writes of one counter must be serialised, so
    /// that no hard limit is ever overshot, also across processes when the store is shared.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The counter is the stored period of the subject and feature that holds <see cref="UsageWrite.OccurredAt"/>.
    /// Normally it is <see cref="UsageWrite.Period"/> itself. Periods never overlap, and a schedule change (time zone,
    /// billing anchor, tz database) neither fails nor resets usage:
    /// </para>
    /// <list type="bullet">
    /// <item>When no stored period holds the instant, the new counter spans <see cref="UsageWrite.Period"/>, starting no
    /// earlier than the end of the stored period before it and ending no later than the start of the stored period after
    /// it. A write refused on such an empty counter creates nothing, except for a feature that rolls over
    /// (<see cref="UsageWrite.Rollover"/>): its counter and rollover are created first, so that the rollover decides it.</item>
    /// <item>When the stored period that holds the instant is of another schedule (it starts or ends elsewhere than
    /// <see cref="UsageWrite.Period"/>) and its last write came before <see cref="UsageWrite.Period"/> started, none of
    /// its usage belongs to the new period (<see cref="UsageWrite.StartsAfresh"/>): it ends where
    /// <see cref="UsageWrite.Period"/> starts, and a new counter starts from zero as above.</item>
    /// <item>Otherwise the stored period joins the new one: a write that applies moves its end to the end of
    /// <see cref="UsageWrite.Period"/> (not past the next stored period); its start and usage stay.</item>
    /// </list>
    /// <para>Answer the counter's resulting period in <see cref="UsageWriteResult.Period"/>.</para>
    /// </remarks>
    public abstract ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// Applies several writes (mixed subjects and features) and answers one result per write, in the same order. A store
    /// that can should override this to apply them in one round trip and one transaction: each write decided exactly as
    /// <see cref="WriteAsync"/> decides it, writes of one counter in list order (a later write with the same idempotency
    /// key as an earlier one in the list is that call's replay), and locks taken in an order that cannot deadlock with
    /// another batch. A write that fails alone (a counter that would exceed <see cref="long.MaxValue"/>) is answered with
    /// <see cref="UsageWriteResult.Failed"/> and writes nothing; the others stand. A storage failure throws
    /// <see cref="QuotaStoreUnavailableException"/> and must leave the whole batch written or not at all
    /// (<see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says which may have happened).
    /// </summary>
    /// <remarks>
    /// The default calls <see cref="WriteAsync"/> once per write, in order, so a store written before batches existed
    /// keeps working; each write is then atomic on its own, not the batch. A storage failure on the first write throws;
    /// a later one cannot take back the writes before it, so it is answered as that write's
    /// <see cref="UsageWriteResult.Failed"/> result, and the writes after it fail as not attempted (nothing written).
    /// </remarks>
    public virtual async ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(
        IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new UsageWriteResult[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                results[i] = await WriteAsync(writes[i], cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidAmountException exception)
            {
                results[i] = UsageWriteResult.Failed(exception);
            }
            catch (QuotaStoreUnavailableException exception) when (i > 0)
            {
                results[i] = UsageWriteResult.Failed(exception);
                for (var rest = i + 1; rest < writes.Count; rest++)
                {
                    results[rest] = UsageWriteResult.Failed(new QuotaStoreUnavailableException(
                        writes[rest].ToString(), outcomeUnknown: false, exception.IsTransient,
                        new InvalidOperationException("An earlier write of the batch failed, so this one was not sent.", exception)));
                }

                break;
            }
        }

        return results;
    }

    /// <summary>The stored period of one subject and feature that holds <paramref name="at"/>; <c>null</c> when none does.</summary>
    public abstract Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken);

    /// <summary>
    /// The stored periods of one subject that hold <paramref name="at"/>, for several features at once (a usage page), in
    /// one round trip where the store has round trips: element <c>i</c> is the counter of <paramref name="featureKeys"/>[i],
    /// <c>null</c> when none holds the instant.
    /// </summary>
    public abstract Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken);

    /// <summary>Every stored period of one subject and feature that overlaps <paramref name="range"/>, oldest first.</summary>
    public abstract Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the idempotency keys of calls recorded before <paramref name="recordedBefore"/> (a later call with such a
    /// key counts again); returns how many were forgotten. Stores that keep a ledger keep its rows.
    /// </summary>
    public abstract Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Resets the counter of <paramref name="featureKey"/> that holds <paramref name="at"/> and keeps its history: that
    /// counter ends at <paramref name="at"/> with its usage, and a new one starts there from zero and ends where it ended
    /// (so the two never overlap). Holds made before stay with the counter they were made in. Returns false when no
    /// counter holds <paramref name="at"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The store does not support resets (the default).</exception>
    /// <exception cref="QuotaStoreUnavailableException">The store could not be reached or failed.</exception>
    public virtual Task<bool> ResetCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not support resetting usage (ResetCounterAsync is not overridden).");

    /// <summary>
    /// Whether this store keeps reservations: it applies writes with <see cref="UsageWrite.HoldExpiresAt"/> set (a
    /// consume that also stores a hold), implements <see cref="SettleHoldAsync"/>, gives back a counter's expired holds
    /// before every write to that counter, and forgets settled holds with idempotency keys. False by default: QuotaKit
    /// then refuses reservations with <see cref="NotSupportedException"/> before calling the store.
    /// </summary>
    public virtual bool SupportsReservations => false;

    /// <summary>
    /// Commits or releases one hold atomically (see <see cref="HoldSettleRequest"/> for the rule), or answers how it was
    /// settled already. Returns <see cref="HoldSettleResult.NotFound"/> when the subject has no such hold of that feature.
    /// </summary>
    /// <exception cref="NotSupportedException">The store does not support reservations (the default).</exception>
    /// <exception cref="QuotaStoreUnavailableException">The store could not be reached or failed.</exception>
    public virtual ValueTask<HoldSettleResult> SettleHoldAsync(HoldSettleRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not support reservations (SupportsReservations is false).");

    /// <summary>
    /// Whether this store keeps credit blocks (docs/concepts.md, "Credit blocks"): it implements
    /// <see cref="AddCreditBlockAsync"/> and <see cref="ReadCreditBlocksAsync"/>, and every write, batched or single, and
    /// every settle spends and gives back blocks atomically with the counter:
    /// <list type="bullet">
    /// <item>A write is decided with <see cref="UsageWrite.Apply(long, long, long)"/> against the counter's usage, the units
    /// its period burned from blocks so far, and the units left in the subject's blocks of the feature usable at
    /// <see cref="UsageWrite.OccurredAt"/> (<see cref="CreditBlock.IsUsableAt"/>), read under their locks, taken after the
    /// counter's in <see cref="CreditBlock.BurnOrder"/>. It burns <see cref="UsageWriteDecision.BurnFromBlocks"/> in that
    /// order, or gives back <see cref="UsageWriteDecision.ReturnToBlocks"/> to the blocks the period burned, the last in
    /// that order first, and keeps per period what it burned from each block (history's <see cref="StoredPeriod.Burns"/>).
    /// It answers <see cref="UsageWriteResult.BlocksBurned"/> and <see cref="UsageWriteResult.BlocksRemaining"/>.</item>
    /// <item>A released or expired hold, and a commit of fewer units than held, give the difference back to the blocks of
    /// the hold's period first (as a refund does); a commit of more units than held burns the excess the plan cannot
    /// cover from the usable blocks, as far as they reach (as an increment does).</item>
    /// <item>A replay burns and gives back nothing.</item>
    /// </list>
    /// False by default: QuotaKit then refuses <see cref="IQuotaAdministration.AddCreditBlockAsync"/> with
    /// <see cref="NotSupportedException"/>, and decides without blocks.
    /// </summary>
    public virtual bool SupportsCreditBlocks => false;

    /// <summary>Stores a new credit block of <paramref name="subjectId"/>, as given (nothing burned yet).</summary>
    /// <exception cref="NotSupportedException">The store does not keep credit blocks (the default).</exception>
    /// <exception cref="QuotaStoreUnavailableException">The store could not be reached or failed.</exception>
    public virtual Task AddCreditBlockAsync(string subjectId, CreditBlock block, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not keep credit blocks (SupportsCreditBlocks is false).");

    /// <summary>
    /// Every credit block of <paramref name="subjectId"/>, spent and expired ones included, in
    /// <see cref="CreditBlock.BurnOrder"/>, with what each has burned. Empty by default.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The store could not be reached or failed.</exception>
    public virtual Task<IReadOnlyList<CreditBlock>> ReadCreditBlocksAsync(string subjectId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CreditBlock>>([]);

    /// <summary>
    /// Whether this store keeps a version per subject (<see cref="SubjectContext.Version"/>, returned by its
    /// <see cref="SubjectStore.ReadAsync"/>; 0 for a subject with nothing stored) and verifies
    /// <see cref="UsageWrite.SubjectVersion"/> atomically with each write, answering
    /// <see cref="UsageWriteResult.SubjectChanged"/>, with the current context, on a mismatch. Then a cached context can
    /// never enforce an outdated limit, and the tracker guesses "nothing stored" for a subject it has not cached instead
    /// of reading it first. False by default: the tracker then reads every uncached subject before writing.
    /// </summary>
    public virtual bool VerifiesSubjectVersions => false;

    /// <summary>
    /// Checks that the store can serve: its storage is reachable and has the schema this version of the store needs.
    /// Health checks call it. Completes by default.
    /// </summary>
    /// <exception cref="QuotaStoreUnavailableException">The storage cannot be reached.</exception>
    /// <exception cref="QuotaKitException">The storage is reachable but not ready (for example, a missing migration); the
    /// message says what to do.</exception>
    public virtual Task VerifyReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Called by the tracker before it retries a call that failed with a transient <see cref="QuotaStoreUnavailableException"/>:
    /// drop connections that may be dead (after a server restart or a terminated session). Does nothing by default.
    /// </summary>
    public virtual void PrepareRetry()
    {
    }
}
