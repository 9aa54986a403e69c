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
