using System.Diagnostics;
using NodaTime;

namespace QuotaKit;

/// <summary>The reads: checks, the usage page and history. They write nothing.</summary>
public sealed partial class UsageTracker
{
    /// <inheritdoc />
    public async Task<UsageDecision> CheckAsync(
        string subjectId, string featureKey, long amount = 1, Instant? at = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageOperation.Consume.RequireFits(feature, "check");
        UsageArguments.ValidatePositive(amount);

        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var instant = at ?? _clock.GetCurrentInstant();
        var limit = _runtime.GetLimit(subject, featureKey, instant);
        var period = QuotaKitRuntime.GetPeriod(feature, subject, instant);
        var used = await StoreCalls.ReadAsync(
            _store, () => _store.ReadUsedAsync(subjectId, featureKey, period.Start, cancellationToken)).ConfigureAwait(false);

        // A check is judged exactly as the consume it previews.
        var (outcome, _) = UsageRules.Decide(UsageOperation.Consume, used, amount, limit);
        _metrics.RecordCall("check", featureKey, outcome == UsageOutcome.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new UsageDecision(subjectId, featureKey, outcome, used, limit, period, isReplay: false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureUsage>> GetUsageAsync(string subjectId, Instant? at = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var instant = at ?? _clock.GetCurrentInstant();
        var features = _runtime.FeaturesWithPeriods(subject);
        var periods = features.Select(f => QuotaKitRuntime.GetPeriod(f, subject, instant)).ToArray();
        var keys = features.Select(f => f.Key).ToArray();
        var starts = periods.Select(p => p.Start).ToArray();
        var used = await StoreCalls.ReadAsync(_store, () => _store.ReadUsedAsync(subjectId, keys, starts, cancellationToken)).ConfigureAwait(false);
        return features
            .Select((f, i) => new FeatureUsage(f.Key, f.Unit, used[i], _runtime.GetLimit(subject, f.Key, instant), periods[i]))
            .ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidateHistoryRange(from, to);

        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var range = new UsagePeriod(from, to);
        var rows = await StoreCalls.ReadAsync(_store, () => _store.ReadHistoryAsync(subjectId, featureKey, range, cancellationToken)).ConfigureAwait(false);
        return rows
            .Select(r => new FeatureUsage(
                feature.Key, feature.Unit, r.Used, QuotaKitRuntime.RecordedLimit(r.LimitValue, _runtime.GetLimit(subject, featureKey, r.Period.Start)), r.Period))
            .ToList();
    }

    private ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The usual case, a cached subject, completes at once: no closure, no task.
        var resolved = _subjects.ResolveAsync(subjectId, cancellationToken);
        return resolved.IsCompletedSuccessfully
            ? resolved
            : new ValueTask<SubjectContext>(StoreCalls.ReadAsync(_store, resolved.AsTask(), () => _subjects.ResolveAsync(subjectId, cancellationToken).AsTask()));
    }
}
