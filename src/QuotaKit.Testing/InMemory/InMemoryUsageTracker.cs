using System.Diagnostics;
using NodaTime;

namespace QuotaKit.Testing;

/// <summary>
/// A usage tracker and subject store held in memory, with exactly the semantics of the PostgreSQL store: for tests of
/// apps that use QuotaKit, and for samples. Thread-safe: every write is atomic under one lock. Register it with
/// <see cref="InMemoryQuotaKitBuilderExtensions.UseInMemoryStore"/>.
/// </summary>
public sealed partial class InMemoryUsageTracker : IUsageTracker, IQuotaAdministration, ISubjectContextResolver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<CounterKey, InMemoryCounter> _counters = new();
    private readonly Dictionary<(string SubjectId, string Key), IdempotencyRecord> _idempotency = new();
    private readonly Dictionary<string, SubjectContext> _subjects = new(StringComparer.Ordinal);
    private readonly QuotaKitRuntime _runtime;
    private readonly IClock _clock;
    private readonly AlertDispatcher _alerts;
    private readonly QuotaKitMetrics _metrics;
    private readonly Lazy<ISubjectContextResolver> _resolver;

    // The resolver is resolved lazily because the registered one is usually this tracker itself; null means this
    // tracker's own subjects (the admin API).
    internal InMemoryUsageTracker(
        QuotaKitRuntime runtime, IClock clock, AlertDispatcher alerts, QuotaKitMetrics metrics, Func<ISubjectContextResolver>? resolver = null)
    {
        _runtime = runtime;
        _clock = clock;
        _alerts = alerts;
        _metrics = metrics;
        _resolver = new Lazy<ISubjectContextResolver>(resolver ?? (() => this));
    }

    /// <inheritdoc />
    public Task<UsageDecision> TryConsumeAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        RecordAsync(UsageOperation.Consume, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> IncrementAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        RecordAsync(UsageOperation.Increment, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> RefundAsync(
        string subjectId, string featureKey, long amount, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        RecordAsync(UsageOperation.Refund, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> CheckAsync(
        string subjectId, string featureKey, long amount = 1, Instant? at = null, CancellationToken cancellationToken = default) =>
        RecordAsync(UsageOperation.Check, subjectId, featureKey, amount, at is null ? null : new UsageOptions { At = at }, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> SetGaugeAsync(
        string subjectId, string featureKey, long value, UsageOptions? options = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var operation = UsageOperations.ForGauge(_runtime.GetFeature(featureKey));
        return RecordAsync(operation, subjectId, featureKey, value, options, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureUsage>> GetUsageAsync(string subjectId, Instant? at = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var instant = at ?? _clock.GetCurrentInstant();
        var context = await _resolver.Value.ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var features = _runtime.FeaturesWithPeriods(context);
        var usage = new List<FeatureUsage>(features.Length);
        lock (_gate)
        {
            foreach (var feature in features)
            {
                var period = QuotaKitRuntime.GetPeriod(feature, context, instant);
                var used = _counters.TryGetValue(new CounterKey(subjectId, feature.Key, period.Start), out var counter) ? counter.Used : 0;
                usage.Add(new FeatureUsage(feature.Key, feature.Unit, used, _runtime.GetLimit(context, feature.Key, instant), period));
            }
        }

        return usage;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidateHistoryRange(from, to);

        var context = await _resolver.Value.ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        List<(UsagePeriod Period, long Used, long? LimitValue)> stored;
        lock (_gate)
        {
            stored = _counters
                .Where(c => c.Key.SubjectId == subjectId && c.Key.FeatureKey == feature.Key)
                .Select(c => (c.Value.Period, c.Value.Used, c.Value.LimitValue))
                .Where(c => c.Period.Start < to && c.Period.End > from)
                .OrderBy(c => c.Period.Start)
                .ToList();
        }

        return stored
            .Select(c => new FeatureUsage(
                feature.Key, feature.Unit, c.Used, QuotaKitRuntime.RecordedLimit(c.LimitValue, _runtime.GetLimit(context, feature.Key, c.Period.Start)), c.Period))
            .ToList();
    }

    private async Task<UsageDecision> RecordAsync(
        UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        operation.ValidateAmount(amount);
        UsageArguments.ValidateOptions(options);
        operation.RequireFits(feature);

        var at = options?.At ?? _clock.GetCurrentInstant();
        var context = await _resolver.Value.ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var limit = _runtime.GetLimit(context, feature.Key, at);
        var period = QuotaKitRuntime.GetPeriod(feature, context, at);

        var write = new UsageWrite(operation, subjectId, feature, amount, limit, period, options?.IdempotencyKey);
        var (decision, applied, alerts) = Apply(write);

        _metrics.RecordCall(operation.Name(), feature.Key, decision.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (applied && operation is UsageOperation.Consume or UsageOperation.Increment)
        {
            _metrics.RecordUnits(feature.Key, amount);
        }

        foreach (var alert in alerts)
        {
            await _alerts.DispatchAsync(alert).ConfigureAwait(false);
        }

        return decision;
    }

    private (UsageDecision Decision, bool Applied, List<QuotaAlert> Alerts) Apply(UsageWrite write)
    {
        var alerts = new List<QuotaAlert>();
        lock (_gate)
        {
            var idempotencyKey = write.IdempotencyKey is { } key ? (write.SubjectId, key) : default;
            if (write.IdempotencyKey is not null && _idempotency.TryGetValue(idempotencyKey, out var first))
            {
                var difference = first.DifferenceFrom(write.Feature.Key, write.Operation, write.Amount);
                return difference is null
                    ? (first.Replay(), false, alerts)
                    : throw new IdempotencyConflictException(write.SubjectId, write.IdempotencyKey, difference);
            }

            var counterKey = new CounterKey(write.SubjectId, write.Feature.Key, write.Period.Start);
            _counters.TryGetValue(counterKey, out var counter);
            var (outcome, usedAfter) = UsageRules.Decide(write.Operation, counter?.Used ?? 0, write.Amount, write.Limit);
            var applied = outcome == UsageOutcome.Allowed && write.Operation != UsageOperation.Check;
            if (applied)
            {
                counter ??= CreateCounter(counterKey, write.Period);
                counter.Used = usedAfter;
                counter.LimitValue = write.Limit.AsNumber;
                alerts.AddRange(RaiseAlertLevel(counter, write));
            }

            var decision = new UsageDecision(
                write.SubjectId, write.Feature.Key, outcome, applied ? usedAfter : counter?.Used ?? 0, write.Limit, write.Period, isReplay: false);
            if (write.IdempotencyKey is not null)
            {
                _idempotency[idempotencyKey] = new IdempotencyRecord(
                    write.Feature.Key, write.Operation, write.Amount, decision, _clock.GetCurrentInstant());
            }

            return (decision, applied, alerts);
        }
    }

    /// <summary>Creates a period's counter; an earlier period the new one starts inside (the billing anchor or the
    /// feature's policy changed) ends where the new one starts, as in the PostgreSQL store.</summary>
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

    private IEnumerable<QuotaAlert> RaiseAlertLevel(InMemoryCounter counter, UsageWrite write)
    {
        var thresholds = write.Feature.AlertThresholds;
        var reached = AlertThresholds.HighestReached(thresholds, counter.Used, write.Limit);
        if (reached <= counter.AlertedPercent)
        {
            return [];
        }

        var detectedAt = _clock.GetCurrentInstant();
        var crossed = AlertThresholds.NewlyCrossed(thresholds, counter.AlertedPercent, reached)
            .Select(t => new QuotaAlert(write.SubjectId, write.Feature.Key, t, counter.Used, write.Limit, write.Period, detectedAt))
            .ToList();
        counter.AlertedPercent = reached;
        return crossed;
    }

    /// <summary>One validated usage call with everything resolved outside the lock.</summary>
    private sealed record UsageWrite(
        UsageOperation Operation, string SubjectId, FeatureDefinition Feature, long Amount, FeatureLimit Limit, UsagePeriod Period,
        string? IdempotencyKey);
}
