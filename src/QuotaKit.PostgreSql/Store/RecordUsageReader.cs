using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads the one row <c>quotakit.record_usage_v8</c> answers: a fresh decision, the stored first call of a replay, or
/// "the subject changed" with its current context (nothing written).
/// </summary>
internal static class RecordUsageReader
{
    public static async ValueTask<UsageWriteResult> ReadAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException("quotakit.record_usage_v8 returned no row.");
        }

        if (!reader.IsDBNull(14))
        {
            return UsageWriteResult.SubjectChanged(SubjectContextJson.Parse(reader.GetString(14)));
        }

        return FromRow(reader, 0, blocksColumn: 15);
    }

    /// <summary>
    /// The result in the current row, whose columns from <paramref name="first"/> on are record_usage_v2's (outcome, used,
    /// alert levels, period, replay columns); <c>quotakit.record_usage_batch_v8</c> answers them after the item number.
    /// A decided write also reads the period's blocks_burned at <paramref name="blocksColumn"/> and blocks_remaining after it.
    /// </summary>
    public static UsageWriteResult FromRow(NpgsqlDataReader reader, int first, int blocksColumn)
    {
        var outcome = (UsageOutcome)reader.GetInt16(first);
        var used = reader.GetInt64(first + 1);
        var period = new UsagePeriod(NpgsqlValues.ReadInstant(reader, first + 4), NpgsqlValues.ReadInstant(reader, first + 5));
        if (!reader.GetBoolean(first + 6))
        {
            return UsageWriteResult.Decided(new UsageWriteDecision(outcome, used), period, reader.GetInt32(first + 2), reader.GetInt32(first + 3)) with
            {
                BlocksBurned = reader.GetInt64(blocksColumn),
                BlocksRemaining = reader.GetInt64(blocksColumn + 1),
            };
        }

        var call = new StoredUsageCall(
            FeatureKey: reader.GetString(first + 8),
            OperationName: reader.GetString(first + 9),
            Amount: reader.GetInt64(first + 10),
            Period: period,
            Limit: FeatureLimit.FromParts(
                (LimitKind)reader.GetInt16(first + 11), reader.IsDBNull(first + 12) ? null : reader.GetInt64(first + 12), reader.GetBoolean(first + 13)),
            Outcome: outcome,
            UsedAfter: used,
            CallId: reader.IsDBNull(first + 7) ? null : reader.GetGuid(first + 7));
        return UsageWriteResult.Replayed(call);
    }
}
