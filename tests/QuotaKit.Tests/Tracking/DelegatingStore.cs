using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// A test store over <see cref="InMemoryUsageStore"/>: reads and the idempotency purge go straight to it, and a subclass
/// decides what its writes do (fail on cue, refuse outdated subject versions, write one at a time).
/// </summary>
internal abstract class DelegatingStore : UsageStore
{
    protected InMemoryUsageStore Inner { get; } = new();

    public override Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken) =>
        Inner.ReadCounterAsync(subjectId, featureKey, at, cancellationToken);

    public override Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken) =>
        Inner.ReadCountersAsync(subjectId, featureKeys, at, cancellationToken);

    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken) =>
        Inner.ReadHistoryAsync(subjectId, featureKey, range, cancellationToken);

    public override Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken) =>
        Inner.ForgetIdempotencyKeysAsync(recordedBefore, cancellationToken);
}
