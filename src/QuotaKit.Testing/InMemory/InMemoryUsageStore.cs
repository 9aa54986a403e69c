using NodaTime;

namespace QuotaKit.Testing;

/// <summary>
/// A <see cref="UsageStore"/> held in memory, with the semantics of the PostgreSQL store: for tests of apps that use
/// QuotaKit, and for samples. Every write is atomic under one lock, so concurrent writes never overshoot a limit.
/// It keeps no usage-event ledger, only the idempotency keys. Register it with
/// <see cref="InMemoryQuotaKitBuilderExtensions.UseInMemoryStore"/>.
/// </summary>
public sealed class InMemoryUsageStore : UsageStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<CounterKey, InMemoryCounter> _counters = new();
    private readonly Dictionary<(string SubjectId, string Key), (StoredUsageCall Call, Instant RecordedAt)> _idempotency = new();

    /// <inheritdoc />
    public override ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var idempotencyKey = (write.SubjectId, write.IdempotencyKey ?? "");
            if (write.IdempotencyKey is not null && _idempotency.TryGetValue(idempotencyKey, out var first))
            {
                return ValueTask.FromResult(UsageWriteResult.Replayed(first.Call));
            }

            var counterKey = new CounterKey(write.SubjectId, write.FeatureKey, write.Period.Start);
            _counters.TryGetValue(counterKey, out var counter);
            var decision = write.Apply(counter?.Used ?? 0);
            var alertLevelBefore = counter?.AlertedPercent ?? 0;
            if (decision.Applied)
            {
                counter ??= CreateCounter(counterKey, write.Period);
                counter.Used = decision.UsedAfter;
                counter.LimitValue = write.Limit.AsNumber;
                counter.AlertedPercent = Math.Max(counter.AlertedPercent, write.AlertLevelAt(decision.UsedAfter));
            }

            if (write.IdempotencyKey is not null)
            {
                var call = new StoredUsageCall(
                    write.FeatureKey, write.OperationName, write.Amount, write.Period, write.Limit, decision.Outcome, decision.UsedAfter);
                _idempotency[idempotencyKey] = (call, write.RecordedAt);
            }

            return ValueTask.FromResult(UsageWriteResult.Decided(decision, alertLevelBefore, counter?.AlertedPercent ?? 0));
        }
    }

    /// <inheritdoc />
    public override Task<long> ReadUsedAsync(string subjectId, string featureKey, Instant periodStart, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(UsedIn(new CounterKey(subjectId, featureKey, periodStart)));
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<long>> ReadUsedAsync(
        string subjectId, IReadOnlyList<string> featureKeys, IReadOnlyList<Instant> periodStarts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(featureKeys);
        ArgumentNullException.ThrowIfNull(periodStarts);
        lock (_gate)
        {
            IReadOnlyList<long> used = featureKeys.Select((key, i) => UsedIn(new CounterKey(subjectId, key, periodStarts[i]))).ToArray();
            return Task.FromResult(used);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredPeriod> rows = _counters
                .Where(c => c.Key.SubjectId == subjectId && c.Key.FeatureKey == featureKey)
                .Where(c => c.Value.Period.Start < range.End && c.Value.Period.End > range.Start)
                .OrderBy(c => c.Value.Period.Start)
                .Select(c => new StoredPeriod(c.Value.Period, c.Value.Used, c.Value.LimitValue))
                .ToList();
            return Task.FromResult(rows);
        }
    }

    /// <inheritdoc />
    public override Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var expired = _idempotency.Where(r => r.Value.RecordedAt < recordedBefore).Select(r => r.Key).ToList();
            expired.ForEach(key => _idempotency.Remove(key));
            return Task.FromResult(expired.Count);
        }
    }

    private long UsedIn(CounterKey key) => _counters.TryGetValue(key, out var counter) ? counter.Used : 0;

    /// <summary>Creates a period's counter; an earlier period the new one starts inside (the subject's schedule changed)
    /// ends where the new one starts, as in the PostgreSQL store.</summary>
    private InMemoryCounter CreateCounter(CounterKey key, UsagePeriod period)
    {
        foreach (var (otherKey, other) in _counters)
        {
            if (otherKey.SubjectId == key.SubjectId && otherKey.FeatureKey == key.FeatureKey &&
                other.Period.Start < period.Start && period.Start < other.Period.End)
            {
                other.Period = new UsagePeriod(other.Period.Start, period.Start);
            }
        }

        return _counters[key] = new InMemoryCounter(period);
    }
}
