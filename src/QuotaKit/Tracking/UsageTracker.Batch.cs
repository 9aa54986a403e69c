using System.Diagnostics;

namespace QuotaKit;

/// <summary>Batched metering (<see cref="IUsageMeter"/>): the write pipeline for many records, a chunk per round trip.</summary>
public sealed partial class UsageTracker
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<UsageRecordResult>> RecordAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        ValidateBatch(records);
        cancellationToken.ThrowIfCancellationRequested();

        // 1 and 2 per record: a record that fails its checks (or whose subject cannot be read) fails alone.
        var results = new UsageRecordResult?[records.Count];
        var prepared = new List<(int Index, UsageWrite Write)>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            try
            {
                prepared.Add((i, await PrepareWriteAsync(
                    UsageOperation.Increment, record.SubjectId, record.FeatureKey, record.Amount, record.Options, cancellationToken).ConfigureAwait(false)));
            }
            catch (QuotaKitException exception)
            {
                results[i] = UsageRecordResult.Failed(i, record, exception);
            }
        }

        // 3. One store call per chunk: one round trip and one transaction where the store has them.
        foreach (var chunk in prepared.Chunk(IUsageMeter.ChunkSize))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // Chunks already written keep their results; the rest were not sent.
                var cancelled = new OperationCanceledException(cancellationToken);
                foreach (var (index, _) in chunk)
                {
                    results[index] = UsageRecordResult.Failed(index, records[index], cancelled);
                }

                continue;
            }

            await WriteChunkAsync(records, chunk, results, started, cancellationToken).ConfigureAwait(false);
        }

        return results!;
    }

    private async Task WriteChunkAsync(
        IReadOnlyList<UsageRecord> records, (int Index, UsageWrite Write)[] chunk, UsageRecordResult?[] results, long started,
        CancellationToken cancellationToken)
    {
        var (stored, written) = await TryWriteChunkAsync(records, chunk, results, cancellationToken).ConfigureAwait(false);
        if (!stored)
        {
            return;
        }

        // 4. After the commit, per record: its decision (or its own error), metrics, log, alerts.
        for (var k = 0; k < chunk.Length; k++)
        {
            var (index, write) = chunk[k];
            var result = written[k];
            if (result.Error is { } error)
            {
                results[index] = UsageRecordResult.Failed(index, records[index], error);
                continue;
            }

            if (!TryDecide(write, result, out var decision, out var conflict))
            {
                results[index] = UsageRecordResult.Failed(index, records[index], conflict);
                continue;
            }

            await AfterCommitAsync(write, result, decision, started).ConfigureAwait(false);
            results[index] = UsageRecordResult.Decided(index, records[index], decision);
        }
    }

    // The two helpers below keep every local of WriteChunkAsync assigned on every path: a local assigned only in a try
    // makes Stryker.NET drop every mutant of its method, so the batch path would go untested by mutation.

    /// <summary>One chunk in one store call; when the store is unavailable, every record of the chunk fails with that error
    /// and the answer is <c>(false, [])</c>.</summary>
    private async Task<(bool Stored, IReadOnlyList<UsageWriteResult> Written)> TryWriteChunkAsync(
        IReadOnlyList<UsageRecord> records, (int Index, UsageWrite Write)[] chunk, UsageRecordResult?[] results,
        CancellationToken cancellationToken)
    {
        try
        {
            return (true, await StoreCalls.WriteBatchAsync(_store, chunk.Select(p => p.Write).ToArray(), cancellationToken).ConfigureAwait(false));
        }
        catch (QuotaStoreUnavailableException exception)
        {
            foreach (var (index, _) in chunk)
            {
                results[index] = UsageRecordResult.Failed(index, records[index], exception);
            }

            return (false, []);
        }
    }

    /// <summary>The record's decision, or <c>false</c> and the conflict when its key was used for a different call.</summary>
    private static bool TryDecide(UsageWrite write, UsageWriteResult result, out UsageDecision decision, out IdempotencyConflictException conflict)
    {
        try
        {
            decision = ToDecision(write, result);
            conflict = null!;
            return true;
        }
        catch (IdempotencyConflictException exception)
        {
            decision = null!;
            conflict = exception;
            return false;
        }
    }

    private static void ValidateBatch(IReadOnlyList<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count is 0 or > IUsageMeter.MaxRecords)
        {
            throw new ArgumentOutOfRangeException(
                nameof(records), records.Count, $"A batch has 1 to {IUsageMeter.MaxRecords} records; split larger ones into several calls.");
        }

        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is null)
            {
                throw new ArgumentNullException(nameof(records), $"Record {i} is null; nothing was written.");
            }
        }
    }
}
