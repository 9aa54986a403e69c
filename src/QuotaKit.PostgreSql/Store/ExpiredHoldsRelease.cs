using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The statement sent before a batch of writes, in the batch's transaction: <c>quotakit.release_expired_holds_batch_v8</c>
/// gives back the expired holds of the batch's counters, which <c>quotakit.record_usage_batch_v8</c> would otherwise count.
/// Finding none costs one index probe per distinct subject and feature and writes nothing.
/// </summary>
internal static class ExpiredHoldsRelease
{
    public const string Sql = "SELECT quotakit.release_expired_holds_batch_v8($1, $2, $3)";

    /// <summary>The three typed parameters, values unset: <see cref="Bind"/> sets them per batch.</summary>
    public static NpgsqlParameter[] CreateParameters() =>
    [
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz },
    ];

    /// <summary>Sets the release of a batch whose subjects and features are <paramref name="subjects"/> and
    /// <paramref name="features"/> (the batch's own arrays, shared, not copied).</summary>
    public static void Bind(NpgsqlParameter[] parameters, IReadOnlyList<UsageWrite> writes, string[] subjects, string[] features)
    {
        // Writes gathered from several callers carry their own clocks' instants; the latest judges expiry.
        var now = writes[0].RecordedAt;
        for (var i = 1; i < writes.Count; i++)
        {
            // Stryker disable once Equality : equivalent. On equal instants both branches give the same instant.
            now = writes[i].RecordedAt > now ? writes[i].RecordedAt : now;
        }

        parameters[0].Value = subjects;
        parameters[1].Value = features;
        parameters[2].Value = now.ToDateTimeUtc();
    }
}
