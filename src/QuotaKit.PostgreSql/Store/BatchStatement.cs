using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The parameters of a batch of writes, made once and reused: a coalesced write pays a share of every object its batch
/// allocates (issue 16: at most 2 KB a call), and the 21 parameters were most of them. Each batch gets a new
/// <see cref="NpgsqlBatch"/> of two statements, sent in one round trip and run in one implicit transaction: first the
/// release of the batch's expired holds (<see cref="ExpiredHoldsRelease"/>: record_usage_batch_v8 does not know holds), then
/// <see cref="RecordUsageBatch"/>. One transaction, as in a single call's <c>record_usage_v8</c>: if the release fails,
/// nothing of the batch is written, so a failure reported as "nothing written" is true. (With error barriers, the
/// second statement committed after the first had failed, and the caller was told nothing was written.) The batch itself
/// is not reused: Npgsql keeps a prepared batch command's statement names, which do not exist on the next batch's
/// connection. One instance serves one batch at a time.
/// </summary>
internal sealed class BatchStatement
{
    private readonly NpgsqlParameter[] _release = ExpiredHoldsRelease.CreateParameters();
    private readonly NpgsqlParameter[] _recordUsage = RecordUsageBatch.CreateParameters();

    /// <summary>Sets the values for <paramref name="writes"/> and returns a new batch that sends them (the caller disposes
    /// it, and calls <see cref="Detach"/> before this statement serves another batch).</summary>
    public NpgsqlBatch CreateBatch(IReadOnlyList<UsageWrite> writes, bool recordAllEvents)
    {
        var (subjects, features) = RecordUsageBatch.Bind(_recordUsage, writes, recordAllEvents);
        ExpiredHoldsRelease.Bind(_release, writes, subjects, features);
        var release = new NpgsqlBatchCommand(ExpiredHoldsRelease.Sql);
        release.Parameters.AddRange(_release);
        var recordUsage = new NpgsqlBatchCommand(RecordUsageBatch.Sql);
        recordUsage.Parameters.AddRange(_recordUsage);
        return new NpgsqlBatch { BatchCommands = { release, recordUsage } };
    }

    /// <summary>Takes the parameters back from <paramref name="sent"/> and drops its arrays, so that this statement can be
    /// pooled.</summary>
    public void Detach(NpgsqlBatch sent)
    {
        foreach (var command in sent.BatchCommands)
        {
            command.Parameters.Clear();
        }

        // Stryker disable all : equivalent. Dropping the arrays only frees them sooner: the next Bind sets every value.
        foreach (var parameter in _release)
        {
            parameter.Value = null;
        }

        foreach (var parameter in _recordUsage)
        {
            parameter.Value = null;
        }

        // Stryker restore all
    }
}
