using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads the one row <c>quotakit.record_usage_v7</c> answers: a fresh decision, the stored first call of a replay, or
/// "the subject changed" with its current context (nothing written).
/// </summary>
internal static class RecordUsageReader
{
    public static async ValueTask<UsageWriteResult> ReadAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException("quotakit.record_usage_v7 returned no row.");
        }

        if (!reader.IsDBNull(14))
        {
            return UsageWriteResult.SubjectChanged(SubjectContextJson.Parse(reader.GetString(14)));
        }

        return FromRow(reader, 0);
    }

    /// <summary>
    /// The result in the current row, whose columns from <paramref name="first"/> on are record_usage_v2's (outcome, used,
    /// alert levels, period, replay columns); <c>quotakit.record_usage_batch</c> answers them after the item number.
    /// </summary>
    public static UsageWriteResult FromRow(NpgsqlDataReader reader, int first)
    {
        var outcome = (UsageOutcome)reader.GetInt16(first);
        var used = reader.GetInt64(first + 1);
        var period = new UsagePeriod(NpgsqlValues.ReadInstant(reader, first + 4), NpgsqlValues.ReadInstant(reader, first + 5));
        if (!reader.GetBoolean(first + 6))
        {
            return UsageWriteResult.Decided(new UsageWriteDecision(outcome, used), period, reader.GetInt32(first + 2), reader.GetInt32(first + 3));
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
