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
    private readonly Dictionary<(string SubjectId, string FeatureKey), InMemoryCounters> _counters = new();
    private readonly Dictionary<(string SubjectId, string Key), (StoredUsageCall Call, Instant RecordedAt)> _idempotency = new();
    private readonly InMemoryHolds _holds = new();
    private readonly InMemoryCreditBlocks _blocks = new();

    /// <inheritdoc />
    public override ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(WriteLocked(write));
        }
    }

    /// <summary>
    /// Applies the writes in list order under one hold of the lock, so the batch is atomic: no other write comes between
    /// them. A write whose counter would exceed <see cref="long.MaxValue"/> fails alone and changes nothing.
    /// </summary>
    public override ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new UsageWriteResult[writes.Count];
        lock (_gate)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                try
                {
                    results[i] = WriteLocked(writes[i]);
                }
                catch (InvalidAmountException exception)
                {
                    results[i] = UsageWriteResult.Failed(exception);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<UsageWriteResult>>(results);
    }

    private UsageWriteResult WriteLocked(UsageWrite write)
    {
        // As quotakit.record_usage_v7: the counter's expired holds stop counting before anything is decided.
        _holds.ReleaseExpired(write.SubjectId, write.FeatureKey, write.RecordedAt);
        var key = (write.SubjectId, write.IdempotencyKey ?? "");
        if (write.IdempotencyKey is not null && _idempotency.TryGetValue(key, out var first))
        {
            return UsageWriteResult.Replayed(first.Call);
        }

        var result = Apply(write);
        if (write.HoldExpiresAt is { } expiresAt && result.Outcome == UsageOutcome.Allowed)
        {
            var counter = CountersOf(write.SubjectId, write.FeatureKey).LatestStartingAtOrBefore(result.Period.Start)!;
            _holds.Add(write.SubjectId, write.FeatureKey, new InMemoryHold(write.CallId, counter, write.Amount, expiresAt));
        }

        if (write.IdempotencyKey is not null)
        {
            var call = new StoredUsageCall(
                write.FeatureKey, write.OperationName, write.Amount, result.Period, write.Limit, result.Outcome, result.Used, write.CallId);
            _idempotency[key] = (call, write.RecordedAt);
        }

        return result;
    }

    // The rule of UsageStore.WriteAsync, step by step as quotakit.record_usage_v2 does it.
    private UsageWriteResult Apply(UsageWrite write)
    {
        var counters = CountersOf(write.SubjectId, write.FeatureKey);
        var counter = counters.LatestStartingAtOrBefore(write.OccurredAt);
        var holdsInstant = counter is not null && counter.Period.End > write.OccurredAt;
        InMemoryCounter? cut = null;
        if (holdsInstant && write.StartsAfresh(counter!.Period, counter.LastWriteAt))
        {
            (holdsInstant, cut) = (false, counter);
        }

        // As the PostgreSQL store: the blocks usable at the write's instant, read under the lock with the counter.
        var available = _blocks.Available(write.SubjectId, write.FeatureKey, write.OccurredAt);
        if (!holdsInstant)
        {
            // A write refused on an empty counter creates nothing, unless its feature rolls over: then the counter and
            // the rollover are created first, and the rollover can decide the write.
            var onEmpty = write.Apply(0, 0, available);
            if (!onEmpty.Applied && write.RolloverValidUntil is null)
            {
                return UsageWriteResult.Decided(onEmpty, write.Period, 0, 0) with { BlocksRemaining = available };
            }

            if (cut is not null)
            {
                cut.Period = new UsagePeriod(cut.Period.Start, write.Period.Start);
            }

            // A new period starts no earlier than the one before it ends and ends no later than the one after it starts.
            var start = counter is not null && counter.Period.End > write.Period.Start ? counter.Period.End : write.Period.Start;
            var end = Earlier(write.Period.End, counters.FirstStartAfter(write.OccurredAt));
            var previous = counters.LatestStartingAtOrBefore(start);
            counter = counters.Add(new UsagePeriod(start, end));
            (counter.LimitValue, counter.LastWriteAt) = (write.Limit.AsNumber, write.RecordedAt);
            if (previous is not null && previous.Period.End == start)
            {
                _blocks.RollOver(write, previous.ToStoredPeriod(), start);
                available = _blocks.Available(write.SubjectId, write.FeatureKey, write.OccurredAt);
            }
        }

        var period = counter!.Period.End == write.Period.End
            ? counter.Period
            : new UsagePeriod(counter.Period.Start, Earlier(write.Period.End, counters.FirstStartAfter(counter.Period.Start)));
        var decision = write.Apply(counter.Used, counter.BlocksBurned, available);
        var alertLevelBefore = counter.AlertedPercent;
        if (decision.Applied)
        {
            counter.Burns.GiveBack(decision.ReturnToBlocks);
            _blocks.Burn(write.SubjectId, write.FeatureKey, write.OccurredAt, decision.BurnFromBlocks, counter.Burns);
            counter.Used = decision.UsedAfter;
            counter.LimitValue = write.Limit.AsNumber;
            counter.AlertedPercent = Math.Max(counter.AlertedPercent, write.AlertLevelAt(decision.UsedAfter));
            counter.Period = period;
            counter.LastWriteAt = write.RecordedAt;
        }

        return UsageWriteResult.Decided(decision, period, alertLevelBefore, counter.AlertedPercent) with
        {
            BlocksBurned = counter.BlocksBurned,
            BlocksRemaining = _blocks.Available(write.SubjectId, write.FeatureKey, write.OccurredAt),
        };
    }

    /// <inheritdoc />
    public override Task<bool> ResetCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // As quotakit.reset_counter_v6: the counter holding the instant ends there; a new one starts from zero.
            var counters = CountersOf(subjectId, featureKey);
            if (counters.LatestStartingAtOrBefore(at) is not { } counter || counter.Period.End <= at)
            {
                return Task.FromResult(false);
            }

            if (counter.Period.Start == at)
            {
                (counter.Used, counter.AlertedPercent, counter.LastWriteAt) = (0, 0, at);
                counter.ForgetBurns();
                return Task.FromResult(true);
            }

            var rest = counters.Add(new UsagePeriod(at, counter.Period.End));
            (rest.LimitValue, rest.LastWriteAt) = (counter.LimitValue, at);
            counter.Period = new UsagePeriod(counter.Period.Start, at);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public override bool SupportsReservations => true;

    /// <inheritdoc />
    public override ValueTask<HoldSettleResult> SettleHoldAsync(HoldSettleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(SettleLocked(request));
        }
    }

    // The rule of UsageStore.SettleHoldAsync, as quotakit.settle_hold_v6 applies it.
    private HoldSettleResult SettleLocked(HoldSettleRequest request)
    {
        if (_holds.Find(request.SubjectId, request.FeatureKey, request.HoldId) is not { } hold)
        {
            return HoldSettleResult.NotFound;
        }

        var counter = hold.Counter;
        var alertLevelBefore = counter.AlertedPercent;
        var changed = hold.State == ReservationState.Held;
        if (hold.HasExpiredAt(request.RecordedAt) || (changed && !request.Commit))
        {
            hold.GiveBack(hold.HasExpiredAt(request.RecordedAt) ? ReservationState.Expired : ReservationState.Released, request.RecordedAt);
        }
        else if (changed)
        {
            // A commit of more than held burns, from the blocks usable now, what the plan's allowance cannot cover.
            var burn = request.BlocksToBurnOnCommit(
                counter.Used, hold.Amount, counter.BlocksBurned, _blocks.Available(request.SubjectId, request.FeatureKey, request.RecordedAt));
            try
            {
                hold.Commit(request.ActualAmount, request.RecordedAt);
            }
            catch (OverflowException)
            {
                throw new InvalidAmountException(request.ActualAmount, $"the counter of {request} would exceed {long.MaxValue} units. Nothing was changed.");
            }

            _blocks.Burn(request.SubjectId, request.FeatureKey, request.RecordedAt, burn, counter.Burns);

            counter.AlertedPercent = Math.Max(counter.AlertedPercent, request.AlertLevelAt(counter.Used));
        }

        if (changed)
        {
            _holds.Settled(request.SubjectId, request.FeatureKey, hold);
        }

        return new HoldSettleResult(
            Found: true, hold.State, changed, hold.Amount, hold.SettledAmount, counter.Used, alertLevelBefore, counter.AlertedPercent, counter.Period,
            hold.ExpiresAt)
        {
            BlocksBurned = counter.BlocksBurned,
        };
    }

    /// <inheritdoc />
    public override bool SupportsCreditBlocks => true;

    /// <inheritdoc />
    public override Task AddCreditBlockAsync(string subjectId, CreditBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _blocks.Add(subjectId, block);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<CreditBlock>> ReadCreditBlocksAsync(string subjectId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_blocks.All(subjectId));
        }
    }

    /// <inheritdoc />
    public override Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(CounterHolding(subjectId, featureKey, at));
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(featureKeys);
        lock (_gate)
        {
            IReadOnlyList<StoredPeriod?> counters = featureKeys.Select(key => CounterHolding(subjectId, key, at)).ToArray();
            return Task.FromResult(counters);
        }
    }

    /// <inheritdoc />
    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredPeriod> rows = CountersOf(subjectId, featureKey).All
                .Where(c => c.Period.Start < range.End && c.Period.End > range.Start)
                .Select(c => c.ToStoredPeriod(withBurns: true))
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
            _holds.ForgetSettled(recordedBefore);
            return Task.FromResult(expired.Count);
        }
    }

    private StoredPeriod? CounterHolding(string subjectId, string featureKey, Instant at) =>
        CountersOf(subjectId, featureKey).LatestStartingAtOrBefore(at) is { } counter && counter.Period.End > at ? counter.ToStoredPeriod() : null;

    private InMemoryCounters CountersOf(string subjectId, string featureKey)
    {
        if (!_counters.TryGetValue((subjectId, featureKey), out var counters))
        {
            _counters[(subjectId, featureKey)] = counters = new InMemoryCounters();
        }

        return counters;
    }

    private static Instant Earlier(Instant end, Instant? nextStart) => nextStart is { } next && next < end ? next : end;
}
