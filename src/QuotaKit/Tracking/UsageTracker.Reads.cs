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
        var counter = await StoreCalls.ReadAsync(
            _store, () => _store.ReadCounterAsync(subjectId, featureKey, instant, cancellationToken)).ConfigureAwait(false);
        var (used, blocksBurned, effective) = Effective(counter, period);
        var outcome = UsageRules.Preview(used - blocksBurned, amount, limit);
        long? blocksRemaining = null;
        if (_store.SupportsCreditBlocks && outcome == UsageOutcome.LimitExceeded)
        {
            // The blocks are read only when the plan alone cannot answer yes, so a check within the plan costs one read.
            var available = CreditBalances.RemainingOf(await UsableBlocksAsync(subjectId, featureKey, instant, cancellationToken).ConfigureAwait(false));
            outcome = UsageRules.Preview(used, amount, limit, blocksBurned, available);
            blocksRemaining = available;
        }

        _metrics.RecordCall("check", featureKey, outcome == UsageOutcome.Allowed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new UsageDecision(subjectId, featureKey, outcome, used, limit, effective, isReplay: false)
        {
            BlocksBurned = blocksBurned,
            BlocksRemaining = blocksRemaining,
        };
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
        // The blocks are read beside the counters (another round trip, in parallel), only from a store that keeps them.
        var reading = StoreCalls.ReadAsync(_store, () => _store.ReadCountersAsync(subjectId, keys, instant, cancellationToken));
        var blocks = _store.SupportsCreditBlocks
            ? await StoreCalls.ReadAsync(_store, () => _store.ReadCreditBlocksAsync(subjectId, cancellationToken)).ConfigureAwait(false)
            : [];
        var counters = await reading.ConfigureAwait(false);
        return features
            .Select((f, i) =>
            {
                var (used, blocksBurned, period) = Effective(counters[i], periods[i]);
                return new FeatureUsage(f.Key, f.Unit, used, _runtime.GetLimit(subject, f.Key, instant), period)
                {
                    BlocksBurned = blocksBurned,
                    Blocks = UsableAt(blocks, f.Key, instant),
                };
            })
            .ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidateHistoryRange(from, to);

        // All history is asked for naturally as [Instant.MinValue, Instant.MaxValue): read what can be stored.
        var range = SupportedInstants.Clamp(from, to);
        if (range is null)
        {
            return [];
        }

        var subject = await ResolveAsync(subjectId, cancellationToken).ConfigureAwait(false);
        var rows = await StoreCalls.ReadAsync(_store, () => _store.ReadHistoryAsync(subjectId, featureKey, range.Value, cancellationToken)).ConfigureAwait(false);
        return rows
            .Select(r => new FeatureUsage(
                feature.Key, feature.Unit, r.Used, QuotaKitRuntime.RecordedLimit(r.LimitValue, _runtime.GetLimit(subject, featureKey, r.Period.Start)), r.Period)
            {
                BlocksBurned = r.BlocksBurned,
                Burns = r.Burns,
            })
            .ToList();
    }

    /// <summary>
    /// The usage and period a read shows, as the next write would find them (see <see cref="UsageStore.WriteAsync"/>):
    /// the stored period holding the instant; after a schedule change, that period with the new schedule's end when
    /// some of its usage falls in the new schedule's period, else the new period, still empty.
    /// </summary>
    private static (long Used, long BlocksBurned, UsagePeriod Period) Effective(StoredPeriod? counter, UsagePeriod computed) => counter switch
    {
        null => (0, 0, computed),
        _ when counter.Period == computed => (counter.Used, counter.BlocksBurned, computed),
        _ when ScheduleChange.StartsAfresh(counter.Period, counter.LastWriteAt, computed) => (0, 0, computed),
        _ => (counter.Used, counter.BlocksBurned, new UsagePeriod(counter.Period.Start, computed.End)),
    };

    /// <summary>The subject's blocks of one feature usable at <paramref name="at"/>, in burn order.</summary>
    private async Task<IReadOnlyList<CreditBlock>> UsableBlocksAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken)
    {
        var blocks = await StoreCalls.ReadAsync(_store, () => _store.ReadCreditBlocksAsync(subjectId, cancellationToken)).ConfigureAwait(false);
        return UsableAt(blocks, featureKey, at);
    }

    private static CreditBlock[] UsableAt(IReadOnlyList<CreditBlock> blocks, string featureKey, Instant at) =>
        blocks.Count == 0 ? [] : [.. blocks.Where(b => b.FeatureKey == featureKey && b.IsUsableAt(at)).Order(CreditBlock.BurnOrder)];

    private ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The usual case, a cached subject, completes at once: no closure, no task.
        var resolved = _subjects.ResolveAsync(subjectId, cancellationToken);
        return resolved.IsCompletedSuccessfully
            ? resolved
            : new ValueTask<SubjectContext>(StoreCalls.ReadAsync(_store, resolved.AsTask(), () => _subjects.ResolveAsync(subjectId, cancellationToken).AsTask()));
    }
}
