using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace QuotaKit;

/// <summary>
/// The one implementation of <see cref="IUsageTracker"/>: the usage pipeline every store shares. For each call it checks
/// the arguments, resolves the subject, works out the limit and the period, lets the <see cref="UsageStore"/> decide and
/// write atomically (retrying once when that is safe), then records metrics, logs and delivers alerts. A store only
/// stores and decides; see docs/architecture.md for the call path.
/// </summary>
public sealed partial class UsageTracker : IUsageTracker, IUsageMeter
{
    private readonly QuotaKitRuntime _runtime;
    private readonly ISubjectContextResolver _subjects;
    private readonly UsageStore _store;
    private readonly IClock _clock;
    private readonly AlertDispatcher _alerts;
    private readonly QuotaKitMetrics _metrics;
    private readonly ILogger _logger;

    internal UsageTracker(
        QuotaKitRuntime runtime,
        ISubjectContextResolver subjects,
        UsageStore store,
        IClock clock,
        AlertDispatcher alerts,
        QuotaKitMetrics metrics,
        ILogger<UsageTracker>? logger = null)
    {
        _runtime = runtime;
        _subjects = subjects;
        _store = store;
        _clock = clock;
        _alerts = alerts;
        _metrics = metrics;
        _logger = logger ?? NullLogger<UsageTracker>.Instance;
    }

    /// <inheritdoc />
    public Task<UsageDecision> TryConsumeAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Consume, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> IncrementAsync(
        string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Increment, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> RefundAsync(
        string subjectId, string featureKey, long amount, UsageOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(UsageOperation.Refund, subjectId, featureKey, amount, options, cancellationToken);

    /// <inheritdoc />
    public Task<UsageDecision> SetGaugeAsync(
        string subjectId, string featureKey, long value, UsageOptions? options = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var operation = UsageOperations.ForGauge(_runtime.GetFeature(featureKey));
        return WriteAsync(operation, subjectId, featureKey, value, options, cancellationToken);
    }

    private async Task<UsageDecision> WriteAsync(
        UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var write = await PrepareWriteAsync(operation, subjectId, featureKey, amount, options, cancellationToken).ConfigureAwait(false);

        // 3. The store decides and writes atomically.
        var result = await StoreCalls.WriteAsync(_store, write, cancellationToken).ConfigureAwait(false);
        var decision = ToDecision(write, result);
        await AfterCommitAsync(write, result, decision, started).ConfigureAwait(false);
        return decision;
    }

    /// <summary>Steps 1 and 2 of a write (also of each record of a batch): checks the arguments, resolves the subject,
    /// and builds the write with the limit and the period as of the usage instant.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UsageWrite> PrepareWriteAsync(
        UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options, CancellationToken cancellationToken)
    {
        // 1. Arguments, in one order for every store: nothing is sent before all of them are valid.
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        operation.RequireFits(feature, operation.Name());
        operation.ValidateAmount(amount);
        UsageArguments.ValidateOptions(options);

        // 2. Subject, limit and period, as of the usage instant.
        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var at = options?.At ?? now;
        var limit = _runtime.GetLimit(subject, featureKey, at);
        var period = QuotaKitRuntime.GetPeriod(feature, subject, at);
        return new UsageWrite(
            subjectId, feature, operation, amount, period, limit, _runtime.GetAlertThresholds(feature), now, at, options);
    }

    /// <summary>Step 4, after the commit: metrics, log, alerts.</summary>
    private async ValueTask AfterCommitAsync(UsageWrite write, UsageWriteResult result, UsageDecision decision, long started)
    {
        if (!decision.IsReplay && decision.Allowed && write.Operation is UsageOperation.Consume or UsageOperation.Increment)
        {
            _metrics.RecordUnits(write.FeatureKey, write.Amount);
        }

        _metrics.RecordCall(write.OperationName, write.FeatureKey, decision.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LogDecision(write.OperationName, write.SubjectId, write.FeatureKey, write.Amount, decision.Outcome, decision.Used, decision.IsReplay);
        if (result.AlertLevelAfter > result.AlertLevelBefore)
        {
            await DispatchAlertsAsync(write, result, write.RecordedAt).ConfigureAwait(false);
        }
    }

    private static UsageDecision ToDecision(UsageWrite write, UsageWriteResult result)
    {
        if (result.Replay is not { } first)
        {
            return new UsageDecision(write.SubjectId, write.FeatureKey, result.Outcome, result.Used, write.Limit, result.Period, isReplay: false);
        }

        if (first.DifferenceFrom(write) is { } difference)
        {
            throw new IdempotencyConflictException(write.SubjectId, write.IdempotencyKey!, difference);
        }

        // The key was claimed by this very call when the tracker's retry finds its own committed first attempt: that is
        // the caller's first call, not a replay of an earlier one.
        var isReplay = first.CallId != write.CallId;
        return new UsageDecision(write.SubjectId, write.FeatureKey, first.Outcome, first.UsedAfter, first.Limit, first.Period, isReplay);
    }

    private async Task DispatchAlertsAsync(UsageWrite write, UsageWriteResult result, Instant now)
    {
        foreach (var threshold in AlertThresholds.NewlyCrossed(write.AlertThresholdArray, result.AlertLevelBefore, result.AlertLevelAfter))
        {
            var alert = new QuotaAlert(write.SubjectId, write.FeatureKey, threshold, result.Used, write.Limit, result.Period, now);
            await _alerts.DispatchAsync(alert).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Operation} {Amount} of {FeatureKey} by {SubjectId}: {Outcome}, used {Used}, replay {IsReplay}")]
    private partial void LogDecision(string operation, string subjectId, string featureKey, long amount, UsageOutcome outcome, long used, bool isReplay);
}
