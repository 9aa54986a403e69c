using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// An in-memory store that fails on cue: each queued write failure is thrown by the next write, after applying it when
/// asked (a reply lost after the commit); each queued read failure by the next read. Counts attempts and retries.
/// </summary>
internal sealed class ScriptedFailureStore : UsageStore
{
    private readonly InMemoryUsageStore _inner = new();

    public Queue<(bool AppliedFirst, QuotaStoreUnavailableException Error)> WriteFailures { get; } = new();

    public Queue<QuotaStoreUnavailableException> ReadFailures { get; } = new();

    /// <summary>How many writes succeed before the queued write failures start (the second write of a batch, say).</summary>
    public int WritesBeforeFailures { get; set; }

    public int WriteAttempts { get; private set; }

    public int ReadAttempts { get; private set; }

    public int Retries { get; private set; }

    public static QuotaStoreUnavailableException Failure(bool outcomeUnknown, bool transient) =>
        new("a scripted call", outcomeUnknown, transient, new IOException("scripted"));

    public override async ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        WriteAttempts++;
        if (WriteAttempts > WritesBeforeFailures && WriteFailures.TryDequeue(out var failure))
        {
            if (failure.AppliedFirst)
            {
                await _inner.WriteAsync(write, cancellationToken);
            }

            throw failure.Error;
        }

        return await _inner.WriteAsync(write, cancellationToken);
    }

    public override Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken) =>
        Reading(() => _inner.ReadCounterAsync(subjectId, featureKey, at, cancellationToken));

    public override Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken) =>
        Reading(() => _inner.ReadCountersAsync(subjectId, featureKeys, at, cancellationToken));

    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken) =>
        Reading(() => _inner.ReadHistoryAsync(subjectId, featureKey, range, cancellationToken));

    public override Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken) =>
        _inner.ForgetIdempotencyKeysAsync(recordedBefore, cancellationToken);

    public override void PrepareRetry() => Retries++;

    private Task<T> Reading<T>(Func<Task<T>> read)
    {
        ReadAttempts++;
        return ReadFailures.TryDequeue(out var failure) ? Task.FromException<T>(failure) : read();
    }
}
