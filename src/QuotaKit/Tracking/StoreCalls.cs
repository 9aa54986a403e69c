using System.Runtime.CompilerServices;

namespace QuotaKit;

/// <summary>
/// The retry policy, one for every store: a call that failed with a transient <see cref="QuotaStoreUnavailableException"/>
/// is tried once more, after <see cref="UsageStore.PrepareRetry"/>, when that cannot count twice.
/// </summary>
internal static class StoreCalls
{
    /// <summary>
    /// Writes, and tries once more when nothing was written, or when the write may have committed but carries an
    /// idempotency key (a committed first attempt then comes back as a replay). Once an attempt's outcome is unknown, a
    /// later failure is reported as unknown too: it cannot prove that nothing was written.
    /// </summary>
    // Pooled state machine: the hot path allocates no box for this level when the store completes asynchronously.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<UsageWriteResult> WriteAsync(UsageStore store, UsageWrite write, CancellationToken cancellationToken)
    {
        try
        {
            return await store.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (QuotaStoreUnavailableException first) when (first.IsTransient && (!first.OutcomeUnknown || write.IdempotencyKey is not null))
        {
            store.PrepareRetry();
            try
            {
                return await store.WriteAsync(write, cancellationToken).ConfigureAwait(false);
            }
            catch (QuotaStoreUnavailableException second) when (first.OutcomeUnknown && !second.OutcomeUnknown)
            {
                throw new QuotaStoreUnavailableException(write.ToString(), outcomeUnknown: true, second.IsTransient, second.InnerException ?? second);
            }
        }
    }

    /// <summary>
    /// Writes a batch with the single write's policy, per write: after a transient failure that wrote nothing, the whole
    /// batch is tried once more; after one that may have committed, only the writes with an idempotency key are (a
    /// committed first attempt comes back as their own first call), and the others are answered as outcome unknown.
    /// </summary>
    public static async ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(
        UsageStore store, IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        try
        {
            return await store.WriteBatchAsync(writes, cancellationToken).ConfigureAwait(false);
        }
        catch (QuotaStoreUnavailableException first) when (first.IsTransient && !first.OutcomeUnknown)
        {
            store.PrepareRetry();
            return await store.WriteBatchAsync(writes, cancellationToken).ConfigureAwait(false);
        }
        catch (QuotaStoreUnavailableException first) when (first.IsTransient && writes.Any(w => w.IdempotencyKey is not null))
        {
            store.PrepareRetry();
            var keyed = writes.Where(w => w.IdempotencyKey is not null).ToList();
            IReadOnlyList<UsageWriteResult> retried;
            try
            {
                retried = await store.WriteBatchAsync(keyed, cancellationToken).ConfigureAwait(false);
            }
            catch (QuotaStoreUnavailableException second) when (!second.OutcomeUnknown)
            {
                throw new QuotaStoreUnavailableException($"a batch of {writes.Count} writes", outcomeUnknown: true, second.IsTransient, second.InnerException ?? second);
            }

            var results = new UsageWriteResult[writes.Count];
            for (int i = 0, k = 0; i < writes.Count; i++)
            {
                results[i] = writes[i].IdempotencyKey is null ? UsageWriteResult.Failed(first) : retried[k++];
            }

            return results;
        }
    }

    /// <summary>Reads, and reads once more after a transient failure.</summary>
    public static Task<T> ReadAsync<T>(UsageStore store, Func<Task<T>> read) => ReadAsync(store, read(), read);

    /// <summary>As <see cref="ReadAsync{T}(UsageStore, Func{Task{T}})"/>, with the first attempt already started.</summary>
    public static async Task<T> ReadAsync<T>(UsageStore store, Task<T> firstAttempt, Func<Task<T>> read)
    {
        try
        {
            return await firstAttempt.ConfigureAwait(false);
        }
        catch (QuotaStoreUnavailableException exception) when (exception.IsTransient)
        {
            store.PrepareRetry();
            return await read().ConfigureAwait(false);
        }
    }
}
