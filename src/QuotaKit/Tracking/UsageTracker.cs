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
public sealed partial class UsageTracker : IUsageTracker, IUsageMeter, IUsageReservations
{
    // A write refused because the subject changed is decided again with the current context; past this many attempts
    // (a subject changing without pause) the call fails as a transient store failure with nothing written.
    private const int MaxSubjectChangedAttempts = 3;

    private readonly QuotaKitRuntime _runtime;
    private readonly ISubjectContextResolver _subjects;
    private readonly UsageStore _store;
    private readonly IClock _clock;
    private readonly AlertDispatcher _alerts;
    private readonly QuotaKitMetrics _metrics;
    private readonly ILogger _logger;

    // Set when QuotaKit's own cache resolves subjects and the store verifies subject versions: an uncached subject's
    // context is then guessed, and a wrong guess comes back with the real one in the same round trip as the write.
    private readonly SubjectCache? _guessingCache;

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
        _guessingCache = store.VerifiesSubjectVersions ? subjects as SubjectCache : null;
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

        // 1. Arguments, in one order for every store: nothing is sent before all of them are valid.
        var feature = ValidateWrite(operation, subjectId, featureKey, amount, options);

        // 2. Subject, limit and period, as of the usage instant.
        var (subject, guessed) = await ResolveForWriteAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var at = options?.At ?? now;

        // 3. The store decides and writes atomically. A store that verifies subject versions refuses, before writing
        //    anything, a write worked out from a context it no longer holds; then the stored context decides.
        var (write, result) = await WriteWithCurrentSubjectAsync(
            operation, subjectId, feature, amount, options, subject, guessed, now, at, cancellationToken).ConfigureAwait(false);
        var decision = ToDecision(write, result);
        await AfterCommitAsync(write, result, decision, started).ConfigureAwait(false);
        return decision;
    }

    /// <summary>Steps 1 and 2 of each record of a batch: checks the arguments, resolves the subject (never guessed: a
    /// batch is not checked against subject versions), and builds the write with the limit and the period as of the
    /// usage instant.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UsageWrite> PrepareWriteAsync(
        UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options, CancellationToken cancellationToken)
    {
        var feature = ValidateWrite(operation, subjectId, featureKey, amount, options);
        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        return CreateWrite(operation, subjectId, feature, amount, options, subject, now, options?.At ?? now);
    }

    /// <summary>The write as of <paramref name="at"/>, with the limit and the period <paramref name="subject"/> gives there.</summary>
    private UsageWrite CreateWrite(
        UsageOperation operation, string subjectId, FeatureDefinition feature, long amount, UsageOptions? options, SubjectContext subject,
        Instant now, Instant at, Instant? holdExpiresAt = null)
    {
        var period = QuotaKitRuntime.GetPeriod(feature, subject, at);
        var rolloverValidUntil = _store.SupportsCreditBlocks ? QuotaKitRuntime.RolloverValidUntil(feature, subject, period) : null;
        return new(subjectId, feature, operation, amount, period, _runtime.GetLimit(subject, feature.Key, at),
            _runtime.GetAlertThresholds(feature), now, at, options, subject, holdExpiresAt, rolloverValidUntil);
    }

    /// <summary>
    /// <see cref="CreateWrite"/>, except that when the subject's context was only <paramref name="guessed"/>, a context that
    /// gives no write answers <c>false</c> (the subject's own context must decide) instead of throwing.
    /// </summary>
    /// <remarks>Kept out of the caller's loop so that <paramref name="write"/> is assigned on every path: a caller whose
    /// local is assigned only in a <c>try</c> cannot be mutation-tested (Stryker.NET drops every mutant of such a method).</remarks>
    private bool TryCreateWrite(
        UsageOperation operation, string subjectId, FeatureDefinition feature, long amount, UsageOptions? options, SubjectContext subject,
        bool guessed, Instant now, Instant at, Instant? holdExpiresAt, out UsageWrite write)
    {
        try
        {
            write = CreateWrite(operation, subjectId, feature, amount, options, subject, now, at, holdExpiresAt);
            return true;
        }
        catch (QuotaKitException) when (guessed)
        {
            write = null!;
            return false;
        }
    }

    /// <summary>Step 1: the arguments, in one order for every store; returns the feature.</summary>
    private FeatureDefinition ValidateWrite(UsageOperation operation, string subjectId, string featureKey, long amount, UsageOptions? options)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        operation.RequireFits(feature, operation.Name());
        operation.ValidateAmount(amount);
        UsageArguments.ValidateOptions(options);
        return feature;
    }

    /// <summary>Step 4, after the commit: metrics, log, alerts.</summary>
    private async ValueTask AfterCommitAsync(UsageWrite write, UsageWriteResult result, UsageDecision decision, long started)
    {
        // A reservation's units are counted as consumed when it is committed, with the actual amount.
        var isReservation = write.HoldExpiresAt is not null;
        if (!decision.IsReplay && decision.Allowed && !isReservation && write.Operation is UsageOperation.Consume or UsageOperation.Increment)
        {
            _metrics.RecordUnits(write.FeatureKey, write.Amount);
        }

        var operationName = isReservation ? "reserve" : write.OperationName;
        _metrics.RecordCall(operationName, write.FeatureKey, decision.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LogDecision(operationName, write.SubjectId, write.FeatureKey, write.Amount, decision.Outcome, decision.Used, decision.IsReplay);
        if (result.AlertLevelAfter > result.AlertLevelBefore)
        {
            await DispatchAlertsAsync(write, result, write.RecordedAt).ConfigureAwait(false);
        }
    }

    // Pooled state machine: the hot path allocates no box for this level when the store completes asynchronously.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(UsageWrite Write, UsageWriteResult Result)> WriteWithCurrentSubjectAsync(
        UsageOperation operation, string subjectId, FeatureDefinition feature, long amount, UsageOptions? options, SubjectContext subject,
        bool guessed, Instant now, Instant at, CancellationToken cancellationToken, Instant? holdExpiresAt = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!TryCreateWrite(operation, subjectId, feature, amount, options, subject, guessed, now, at, holdExpiresAt, out var write))
            {
                // The guessed defaults give no period here (a billing cycle needs the subject's anchor; an instant at the
                // edge of the supported range): the subject's own context decides, so read it and work it out again.
                (subject, guessed) = (await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false), false);
                attempt--;
                continue;
            }

            var result = await StoreCalls.WriteAsync(_store, write, cancellationToken).ConfigureAwait(false);
            if (!result.IsSubjectChanged)
            {
                if (guessed)
                {
                    // The store accepted version 0: nothing is stored for the subject, so the guess is its context.
                    _guessingCache?.Set(subjectId, subject);
                }

                return (write, result);
            }

            if (attempt == MaxSubjectChangedAttempts)
            {
                throw new QuotaStoreUnavailableException(write.ToString(), outcomeUnknown: false, isTransient: true, new InvalidOperationException(
                    $"The subject's plan, zone, anchor, overrides or grants changed on each of {attempt} attempts; nothing was written."));
            }

            // Nothing was written: the guess was wrong or the cached context is outdated. Decide with the current one, which
            // the store sent along (else read it).
            if (result.Subject is { } current)
            {
                _guessingCache?.Set(subjectId, current);
                subject = current;
            }
            else
            {
                _guessingCache?.Invalidate(subjectId);
                subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
            }

            // Stryker disable once Boolean : equivalent. A context the store sent or the store read, taken for a guess, is only
            // cached again or read again on the next attempt, to the same answer.
            guessed = false;
        }
    }

    private static UsageDecision ToDecision(UsageWrite write, UsageWriteResult result)
    {
        if (result.Replay is not { } first)
        {
            return new UsageDecision(write.SubjectId, write.FeatureKey, result.Outcome, result.Used, write.Limit, result.Period, isReplay: false)
            {
                BlocksBurned = result.BlocksBurned,
                BlocksRemaining = result.BlocksRemaining,
            };
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

    /// <summary>
    /// The subject's context for a write: the cached one; a guess (the defaults of a subject with nothing stored,
    /// version 0) when the subject is not cached and the store verifies versions; otherwise the resolver's answer.
    /// </summary>
    private ValueTask<(SubjectContext Subject, bool Guessed)> ResolveForWriteAsync(string subjectId, CancellationToken cancellationToken)
    {
        if (_guessingCache is null)
        {
            var resolved = ResolveAsync(subjectId, cancellationToken);

            // Stryker disable once Boolean,Conditional : equivalent. With no guessing cache, a context taken for a guess is
            // only read again when it gives no write, to the same answer; and an unfinished resolve is a task here, so
            // taking either branch always gives the same context (the await only allocates, the early .Result blocks).
            return resolved.IsCompletedSuccessfully
                ? new ValueTask<(SubjectContext, bool)>((resolved.Result, false))
                : ResolvedAsync(resolved);
        }

        return _guessingCache.TryGet(subjectId, out var cached)
            ? new ValueTask<(SubjectContext, bool)>((cached, false))
            : new ValueTask<(SubjectContext, bool)>((SubjectContext.Unstored, true));

        // Stryker disable once Boolean : equivalent (as above).
        static async ValueTask<(SubjectContext, bool)> ResolvedAsync(ValueTask<SubjectContext> resolving) =>
            (await resolving.ConfigureAwait(false), false);
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
