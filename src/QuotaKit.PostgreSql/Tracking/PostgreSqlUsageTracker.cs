using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// <see cref="IUsageTracker"/> on PostgreSQL. Arguments are checked before anything is sent; each write is one call of
/// <c>quotakit.record_usage</c> (one round trip, one transaction); alerts are delivered after it committed. Npgsql
/// failures reach callers as <see cref="QuotaStoreUnavailableException"/> (see docs/reliability.md).
/// </summary>
internal sealed partial class PostgreSqlUsageTracker : IUsageTracker
{
    private readonly QuotaKitRuntime _runtime;
    private readonly ISubjectContextResolver _subjects;
    private readonly PostgreSqlUsageStore _store;
    private readonly IClock _clock;
    private readonly AlertDispatcher _alerts;
    private readonly QuotaKitMetrics _metrics;
    private readonly bool _recordAllEvents;
    private readonly ILogger<PostgreSqlUsageTracker> _logger;

    public PostgreSqlUsageTracker(
        QuotaKitRuntime runtime,
        ISubjectContextResolver subjects,
        PostgreSqlUsageStore store,
        IClock clock,
        AlertDispatcher alerts,
        QuotaKitMetrics metrics,
        IOptions<QuotaKitPostgreSqlOptions> options,
        ILogger<PostgreSqlUsageTracker>? logger = null)
    {
        _runtime = runtime;
        _subjects = subjects;
        _store = store;
        _clock = clock;
        _alerts = alerts;
        _metrics = metrics;
        _recordAllEvents = options.Value.RecordAllEvents;
        _logger = logger ?? NullLogger<PostgreSqlUsageTracker>.Instance;
    }

    public Task<UsageDecision> TryConsumeAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Consume, subjectId, featureKey, amount, options, cancellationToken);

    public Task<UsageDecision> IncrementAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Increment, subjectId, featureKey, amount, options, cancellationToken);

    public Task<UsageDecision> RefundAsync(
        string subjectId, string featureKey, long amount, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Refund, subjectId, featureKey, amount, options, cancellationToken);

    public Task<UsageDecision> SetGaugeAsync(
        string subjectId, string featureKey, long value, UsageOptions? options = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var operation = UsageOperations.ForGauge(_runtime.GetFeature(featureKey));
        return WriteAsync(operation, subjectId, featureKey, value, options, cancellationToken);
    }

    public async Task<UsageDecision> CheckAsync(
        string subjectId, string featureKey, long amount = 1, Instant? at = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageOperation.Check.ValidateAmount(amount);
        UsageOperation.Check.RequireFits(feature);
        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var instant = at ?? _clock.GetCurrentInstant();
        var limit = _runtime.GetLimit(subject, featureKey, instant);
        var period = QuotaKitRuntime.GetPeriod(feature, subject, instant);
        var used = await ReadingAsync(
            () => _store.ReadUsedAsync(subjectId, featureKey, period.Start, cancellationToken), subjectId).ConfigureAwait(false);
        var (outcome, _) = UsageRules.Decide(UsageOperation.Check, used, amount, limit);
        return new UsageDecision(subjectId, featureKey, outcome, used, limit, period, isReplay: false);
    }

    public async Task<IReadOnlyList<FeatureUsage>> GetUsageAsync(
        string subjectId, Instant? at = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var instant = at ?? _clock.GetCurrentInstant();
        var features = _runtime.FeaturesWithPeriods(subject);
        var periods = features.Select(f => QuotaKitRuntime.GetPeriod(f, subject, instant)).ToArray();
        var used = await ReadingAsync(
            () => _store.ReadCurrentAsync(
                subjectId,
                features.Select(f => f.Key).ToArray(),
                periods.Select(p => p.Start.ToDateTimeUtc()).ToArray(),
                cancellationToken),
            subjectId).ConfigureAwait(false);
        return features
            .Select((f, i) => new FeatureUsage(f.Key, f.Unit, used.GetValueOrDefault(f.Key), _runtime.GetLimit(subject, f.Key, instant), periods[i]))
            .ToList();
    }

    public async Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidateHistoryRange(from, to);

        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var rows = await ReadingAsync(() => _store.ReadHistoryAsync(subjectId, featureKey, from, to, cancellationToken), subjectId).ConfigureAwait(false);
        return rows
            .Select(r => new FeatureUsage(feature.Key, feature.Unit, r.Used, QuotaKitRuntime.RecordedLimit(r.LimitValue, _runtime.GetLimit(subject, featureKey, r.Period.Start)), r.Period))
            .ToList();
    }

    private async Task<UsageDecision> WriteAsync(
        UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        operation.ValidateAmount(amount);
        operation.RequireFits(feature);
        UsageArguments.ValidateOptions(options);

        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var at = options?.At ?? now;
        var limit = _runtime.GetLimit(subject, featureKey, at);
        var period = QuotaKitRuntime.GetPeriod(feature, subject, at);
        var thresholds = limit.Kind == LimitKind.Limited ? _runtime.GetAlertThresholds(feature) : [];
        var call = new RecordUsageCommand(
            subjectId, featureKey, period, operation.Name(), amount, limit, UsageWriteRule.For(operation, limit), thresholds, now, at,
            options?.IdempotencyKey, options?.MetadataJson, _recordAllEvents || options?.MetadataJson is not null);

        var result = await RecordAsync(call, cancellationToken).ConfigureAwait(false);
        var decision = result.Replay is { } stored
            ? Replay(call, stored, result)
            : new UsageDecision(subjectId, featureKey, result.Outcome, result.Used, limit, period, isReplay: false);

        if (!decision.IsReplay && decision.Allowed && operation is UsageOperation.Consume or UsageOperation.Increment)
        {
            _metrics.RecordUnits(featureKey, amount);
        }

        _metrics.RecordCall(operation.Name(), featureKey, decision.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LogDecision(operation.Name(), subjectId, featureKey, amount, decision.Outcome, decision.Used);
        foreach (var threshold in AlertThresholds.NewlyCrossed(thresholds, result.AlertedBefore, result.AlertedAfter))
        {
            var alert = new QuotaAlert(subjectId, featureKey, threshold, decision.Used, limit, period, now);
            await _alerts.DispatchAsync(alert).ConfigureAwait(false);
        }

        return decision;
    }

    // Pooled state machine: the hot path allocates no box for this level when the round trip completes asynchronously.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RecordUsageResult> RecordAsync(RecordUsageCommand call, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                return await _store.RecordAsync(call, cancellationToken).ConfigureAwait(false);
            }
            catch (QuotaStoreUnavailableException exception) when (exception.IsTransient && (!exception.OutcomeUnknown || call.IdempotencyKey is not null))
            {
                // Safe to try once more: nothing was written, or the key makes a committed first attempt a replay. The
                // usual cause is an idle pooled connection the server closed (restart, terminated session): drop them all.
                _store.DropIdleConnections();
                return await _store.RecordAsync(call, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
        {
            throw new InvalidAmountException(call.Amount, "the counter would overflow (more than 9223372036854775807 units).");
        }
    }

    private ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The usual case, a cached subject, completes at once: no closure, no task.
        var resolved = _subjects.ResolveAsync(subjectId, cancellationToken);
        return resolved.IsCompletedSuccessfully
            ? resolved
            : new ValueTask<SubjectContext>(ReadingAsync(resolved.AsTask(), () => _subjects.ResolveAsync(subjectId, cancellationToken).AsTask(), subjectId));
    }

    /// <summary>
    /// Runs a read, once more after a transient failure (with the idle pooled connections dropped, as after a server
    /// restart); a remaining Npgsql failure becomes <see cref="QuotaStoreUnavailableException"/> (nothing written).
    /// </summary>
    private Task<T> ReadingAsync<T>(Func<Task<T>> read, string subjectId) => ReadingAsync(read(), read, subjectId);

    /// <summary>As <see cref="ReadingAsync{T}(Func{Task{T}}, string)"/>, with the first attempt already started.</summary>
    private async Task<T> ReadingAsync<T>(Task<T> firstAttempt, Func<Task<T>> read, string subjectId)
    {
        try
        {
            try
            {
                return await firstAttempt.ConfigureAwait(false);
            }
            catch (NpgsqlException exception) when (StoreFailure.IsTransient(exception))
            {
                _store.DropIdleConnections();
                return await read().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, $"a read for subject '{subjectId}'");
        }
    }

    private static UsageDecision Replay(RecordUsageCommand call, StoredCall stored, RecordUsageResult result)
    {
        if (stored.FeatureKey != call.FeatureKey || stored.Operation != call.Operation || stored.Amount != call.Amount)
        {
            throw new IdempotencyConflictException(
                call.SubjectId,
                call.IdempotencyKey!,
                $"first: {stored.Operation} {stored.Amount} of '{stored.FeatureKey}'; now: {call.Operation} {call.Amount} of '{call.FeatureKey}'");
        }

        return new UsageDecision(call.SubjectId, call.FeatureKey, result.Outcome, result.Used, stored.Limit, stored.Period, isReplay: true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Operation} {Amount} of {FeatureKey} by {SubjectId}: {Outcome}, used {Used}")]
    private partial void LogDecision(string operation, string subjectId, string featureKey, long amount, UsageOutcome outcome, long used);
}
