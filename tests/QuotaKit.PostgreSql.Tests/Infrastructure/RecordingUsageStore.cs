using System.Collections.Concurrent;
using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A store that forwards every call to another one and keeps the writes it was sent and the failures of its writes, which
/// the tracker's retry would otherwise hide (a deadlock is transient and nothing was written: the retry succeeds).
/// </summary>
public sealed class RecordingUsageStore(UsageStore inner) : UsageStore
{
    public ConcurrentQueue<Exception> Failures { get; } = new();

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>The single writes sent, in order (a batch's writes are not added).</summary>
    public ConcurrentQueue<UsageWrite> Writes { get; } = new();

    public override async ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        Writes.Enqueue(write);
        try
        {
            return await inner.WriteAsync(write, cancellationToken);
        }
        catch (Exception exception)
        {
            Failures.Enqueue(exception);
            throw;
        }
    }

    public override async ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        BatchSizes.Enqueue(writes.Count);
        try
        {
            return await inner.WriteBatchAsync(writes, cancellationToken);
        }
        catch (Exception exception)
        {
            Failures.Enqueue(exception);
            throw;
        }
    }

    public override Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken) =>
        inner.ReadCounterAsync(subjectId, featureKey, at, cancellationToken);

    public override Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken) =>
        inner.ReadCountersAsync(subjectId, featureKeys, at, cancellationToken);

    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken) =>
        inner.ReadHistoryAsync(subjectId, featureKey, range, cancellationToken);

    public override Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken) =>
        inner.ForgetIdempotencyKeysAsync(recordedBefore, cancellationToken);

    public override Task VerifyReadyAsync(CancellationToken cancellationToken) => inner.VerifyReadyAsync(cancellationToken);

    public override void PrepareRetry() => inner.PrepareRetry();
}
