using Npgsql;
using NpgsqlTypes;
using QuotaKit.Benchmarks.Infrastructure;

namespace QuotaKit.Benchmarks.Load;

/// <summary>
/// The limit for this design: the SQL QuotaKit's hot path sends, with the same 18 parameters, as a prepared command on a
/// plain <see cref="NpgsqlDataSource"/>: one round trip, no configuration look-up, no subject cache, no period calculation.
/// </summary>
/// <remarks>
/// By default it calls <c>record_usage_v2</c>, the decision alone (the baseline of every figure since 0.1.0). With
/// <c>sameSqlAsQuotaKit</c> it calls <c>record_usage_v7</c>, the function QuotaKit's store calls since schema version 7
/// (the subject-version check and the expired-holds probe, then version 2), with subject version 0 as QuotaKit sends for
/// a subject with nothing stored: the difference between the two is the server's cost of those checks.
/// </remarks>
internal sealed class RawNpgsqlContender(NpgsqlDataSource dataSource, Workload workload, bool sameSqlAsQuotaKit = false) : IContender
{
    private const string Sql =
        "SELECT * FROM quotakit.record_usage_v2($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

    private const string SameSqlAsQuotaKit =
        "SELECT * FROM quotakit.record_usage_v7($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

    private static readonly int[] Thresholds = [80, 100];

    public string Name => sameSqlAsQuotaKit ? "Raw Npgsql (v7)" : "Raw Npgsql";

    public async Task<bool> TryConsumeAsync(string subjectId, Quota quota)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = CreateCommand(connection, subjectId, quota, workload);
        if (sameSqlAsQuotaKit)
        {
            command.CommandText = SameSqlAsQuotaKit;
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 0, NpgsqlDbType = NpgsqlDbType.Bigint });
        }

        // Persistent prepared statement: prepared once per physical connection, a no-op (no round trip) afterwards.
        await command.PrepareAsync().ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return reader.GetInt16(0) == (short)UsageOutcome.Allowed;
    }

    /// <summary>A prepared command for one subject, to execute again and again on a held connection.</summary>
    public static NpgsqlCommand CreatePreparedCommand(NpgsqlConnection connection, string subjectId, Quota quota, Workload workload)
    {
        var command = CreateCommand(connection, subjectId, quota, workload);
        command.Prepare();
        return command;
    }

    private static NpgsqlCommand CreateCommand(NpgsqlConnection connection, string subjectId, Quota quota, Workload workload)
    {
        var now = workload.Now.ToDateTimeUtc();
        var command = new NpgsqlCommand(Sql, connection);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<string> { TypedValue = subjectId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string> { TypedValue = quota.FeatureKey, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<DateTime> { TypedValue = workload.Period.Start.ToDateTimeUtc(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter<DateTime> { TypedValue = workload.Period.End.ToDateTimeUtc(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter<string> { TypedValue = "consume", NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<long> { TypedValue = 1 });
        p.Add(new NpgsqlParameter<long> { TypedValue = quota.Limit, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter<bool> { TypedValue = true });
        p.Add(new NpgsqlParameter<short> { TypedValue = (short)UsageOutcome.LimitExceeded });
        p.Add(new NpgsqlParameter<short> { TypedValue = (short)LimitKind.Limited });
        p.Add(new NpgsqlParameter<bool> { TypedValue = false });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = Thresholds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter<DateTime> { TypedValue = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter<DateTime> { TypedValue = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.Add(new NpgsqlParameter<bool> { TypedValue = false });
        p.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid(), NpgsqlDbType = NpgsqlDbType.Uuid });
        return command;
    }
}
