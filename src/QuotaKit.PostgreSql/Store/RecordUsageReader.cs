using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>Reads the one row <c>quotakit.record_usage</c> answers: a fresh decision, or the stored first call of a replay.</summary>
internal static class RecordUsageReader
{
    public static async ValueTask<UsageWriteResult> ReadAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException("quotakit.record_usage returned no row.");
        }

        var outcome = (UsageOutcome)reader.GetInt16(0);
        var used = reader.GetInt64(1);
        if (!reader.GetBoolean(4))
        {
            return UsageWriteResult.Decided(new UsageWriteDecision(outcome, used), reader.GetInt32(2), reader.GetInt32(3));
        }

        var first = new StoredUsageCall(
            FeatureKey: reader.GetString(5),
            OperationName: reader.GetString(6),
            Amount: reader.GetInt64(7),
            Period: new UsagePeriod(NpgsqlValues.ReadInstant(reader, 8), NpgsqlValues.ReadInstant(reader, 9)),
            Limit: FeatureLimit.FromParts((LimitKind)reader.GetInt16(10), reader.IsDBNull(11) ? null : reader.GetInt64(11), reader.GetBoolean(12)),
            Outcome: outcome,
            UsedAfter: used);
        return UsageWriteResult.Replayed(first);
    }
}
