using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads the one row <c>quotakit.record_usage_v3</c> answers: a fresh decision, the stored first call of a replay, or
/// "the subject changed" with its current context (nothing written).
/// </summary>
internal static class RecordUsageReader
{
    public static async ValueTask<UsageWriteResult> ReadAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException("quotakit.record_usage_v3 returned no row.");
        }

        if (!reader.IsDBNull(14))
        {
            return UsageWriteResult.SubjectChanged(SubjectContextJson.Parse(reader.GetString(14)));
        }

        var outcome = (UsageOutcome)reader.GetInt16(0);
        var used = reader.GetInt64(1);
        var period = new UsagePeriod(NpgsqlValues.ReadInstant(reader, 4), NpgsqlValues.ReadInstant(reader, 5));
        if (!reader.GetBoolean(6))
        {
            return UsageWriteResult.Decided(new UsageWriteDecision(outcome, used), period, reader.GetInt32(2), reader.GetInt32(3));
        }

        var first = new StoredUsageCall(
            FeatureKey: reader.GetString(8),
            OperationName: reader.GetString(9),
            Amount: reader.GetInt64(10),
            Period: period,
            Limit: FeatureLimit.FromParts((LimitKind)reader.GetInt16(11), reader.IsDBNull(12) ? null : reader.GetInt64(12), reader.GetBoolean(13)),
            Outcome: outcome,
            UsedAfter: used,
            CallId: reader.IsDBNull(7) ? null : reader.GetGuid(7));
        return UsageWriteResult.Replayed(first);
    }
}
