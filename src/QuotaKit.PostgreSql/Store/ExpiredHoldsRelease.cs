using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The statement sent before a batch of writes, in its own transaction: <c>quotakit.release_expired_holds_batch_v6</c>
/// gives back the expired holds of the batch's counters, which <c>quotakit.record_usage_batch</c> would otherwise count.
/// Finding none costs one index probe per distinct subject and feature and writes nothing.
/// </summary>
internal static class ExpiredHoldsRelease
{
    public const string Sql = "SELECT quotakit.release_expired_holds_batch_v6($1, $2, $3)";

    /// <summary>The release for a batch whose subjects and features are <paramref name="subjects"/> and
    /// <paramref name="features"/> (the batch's own arrays, shared, not copied).</summary>
    public static NpgsqlBatchCommand CreateCommand(IReadOnlyList<UsageWrite> writes, string[] subjects, string[] features)
    {
        // Writes gathered from several callers carry their own clocks' instants; the latest judges expiry.
        var now = writes[0].RecordedAt;
        for (var i = 1; i < writes.Count; i++)
        {
            now = writes[i].RecordedAt > now ? writes[i].RecordedAt : now;
        }

        return new NpgsqlBatchCommand(Sql)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = subjects, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter { Value = features, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter { Value = now.ToDateTimeUtc(), NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };
    }
}
