using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// One call of <c>quotakit.record_usage_batch_v8</c>: the writes as 20 arrays (element i of each is write i, with the
/// parameters <see cref="RecordUsageStatement"/> sends for one write), and the answer, one row per write. The command
/// and its parameters are made once and reused (<see cref="BatchStatement"/>); only the arrays are new per batch.
/// </summary>
internal static class RecordUsageBatch
{
    public const string Sql =
        "SELECT * FROM quotakit.record_usage_batch_v8($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";

    // The SQLSTATE the function answers for an item whose counter would pass the largest bigint.
    private const string NumericValueOutOfRange = "22003";

    /// <summary>The 20 typed array parameters, values unset: <see cref="Bind"/> sets them per batch.</summary>
    public static NpgsqlParameter[] CreateParameters() =>
    [
        Array(NpgsqlDbType.Text),         // subject ids
        Array(NpgsqlDbType.Text),         // feature keys
        Array(NpgsqlDbType.TimestampTz),  // period starts
        Array(NpgsqlDbType.TimestampTz),  // period ends
        Array(NpgsqlDbType.Text),         // operations
        Array(NpgsqlDbType.Bigint),       // amounts
        Array(NpgsqlDbType.Bigint),       // limits
        Array(NpgsqlDbType.Boolean),      // enforce
        Array(NpgsqlDbType.Smallint),     // denied outcomes
        Array(NpgsqlDbType.Smallint),     // limit kinds
        Array(NpgsqlDbType.Boolean),      // soft limits
        Array(NpgsqlDbType.Integer),      // thresholds, two-dimensional
        Array(NpgsqlDbType.TimestampTz),  // recorded at
        Array(NpgsqlDbType.TimestampTz),  // occurred at
        Array(NpgsqlDbType.Text),         // idempotency keys
        Array(NpgsqlDbType.Jsonb),        // metadata
        Array(NpgsqlDbType.Boolean),      // record events
        Array(NpgsqlDbType.Uuid),         // call ids
        Array(NpgsqlDbType.Bigint),       // rollover caps (NULL: no cap)
        Array(NpgsqlDbType.TimestampTz),  // rollover ends (NULL: the feature does not roll over)
    ];

    /// <summary>Sets the arrays of <paramref name="p"/> (made by <see cref="CreateParameters"/>) to <paramref name="writes"/>;
    /// <paramref name="recordAllEvents"/> is the store's option. Returns the subject ids and feature keys, which the
    /// release of expired holds shares.</summary>
    public static (string[] Subjects, string[] Features) Bind(NpgsqlParameter[] p, IReadOnlyList<UsageWrite> writes, bool recordAllEvents)
    {
        var n = writes.Count;
        var subjects = new string[n];
        var features = new string[n];
        var starts = new DateTime[n];
        var ends = new DateTime[n];
        var operations = new string[n];
        var amounts = new long[n];
        var limits = new long?[n];
        var enforce = new bool[n];
        var deniedOutcomes = new short[n];
        var limitKinds = new short[n];
        var limitSoft = new bool[n];
        var now = new DateTime[n];
        var occurredAt = new DateTime[n];
        var keys = new string?[n];
        var metadata = new string?[n];
        var recordEvents = new bool[n];
        var callIds = new Guid[n];
        var rolloverCaps = new long?[n];
        var rolloverUntils = new DateTime?[n];
        var thresholdCount = 0;
        for (var i = 0; i < n; i++)
        {
            thresholdCount = Math.Max(thresholdCount, writes[i].AlertThresholds.Count);
        }

        // Two-dimensional: row i holds write i's thresholds, padded with 0 (never reported); empty when no write has any.
        var thresholds = new int[n, thresholdCount];
        for (var i = 0; i < n; i++)
        {
            var write = writes[i];
            subjects[i] = write.SubjectId;
            features[i] = write.FeatureKey;
            starts[i] = write.Period.Start.ToDateTimeUtc();
            ends[i] = write.Period.End.ToDateTimeUtc();
            operations[i] = write.OperationName;
            amounts[i] = write.Amount;
            limits[i] = write.Limit.AsNumber;
            enforce[i] = write.Enforce;
            deniedOutcomes[i] = (short)write.DeniedOutcome;
            limitKinds[i] = (short)write.Limit.Kind;
            limitSoft[i] = write.Limit.IsSoft;
            now[i] = write.RecordedAt.ToDateTimeUtc();
            occurredAt[i] = write.OccurredAt.ToDateTimeUtc();
            keys[i] = write.IdempotencyKey;
            metadata[i] = write.MetadataJson;
            recordEvents[i] = recordAllEvents || write.RecordEvent;
            callIds[i] = write.CallId;
            rolloverCaps[i] = write.Rollover?.Cap;
            rolloverUntils[i] = write.RolloverValidUntil?.ToDateTimeUtc();
            var own = write.AlertThresholds;
            for (var t = 0; t < own.Count; t++)
            {
                thresholds[i, t] = own[t];
            }
        }

        p[0].Value = subjects;
        p[1].Value = features;
        p[2].Value = starts;
        p[3].Value = ends;
        p[4].Value = operations;
        p[5].Value = amounts;
        p[6].Value = limits;
        p[7].Value = enforce;
        p[8].Value = deniedOutcomes;
        p[9].Value = limitKinds;
        p[10].Value = limitSoft;
        // Stryker disable once all : equivalent. Npgsql sends an n x 0 array and an empty one as the same empty array.
        p[11].Value = thresholdCount == 0 ? System.Array.Empty<int>() : thresholds;
        p[12].Value = now;
        p[13].Value = occurredAt;
        p[14].Value = keys;
        p[15].Value = metadata;
        p[16].Value = recordEvents;
        p[17].Value = callIds;
        p[18].Value = rolloverCaps;
        p[19].Value = rolloverUntils;
        return (subjects, features);
    }

    /// <summary>Reads one result per write, in order; an item error becomes that write's <see cref="UsageWriteResult.Failed"/>.</summary>
    public static async Task<IReadOnlyList<UsageWriteResult>> ReadAsync(NpgsqlDataReader reader, IReadOnlyList<UsageWrite> writes)
    {
        var results = new UsageWriteResult[writes.Count];
        var read = 0;
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var index = reader.GetInt32(0) - 1;
            var error = reader.IsDBNull(15) ? null : reader.GetString(15);
            results[index] = error switch
            {
                null => RecordUsageReader.FromRow(reader, 1, blocksColumn: 16),
                NumericValueOutOfRange => UsageWriteResult.Failed(new InvalidAmountException(
                    writes[index].Amount,
                    $"the counter of {writes[index]} would exceed {long.MaxValue} units. Nothing of this record was written; refund units or wait for the next period.")),
                _ => throw new InvalidOperationException($"quotakit.record_usage_batch_v8 answered the unknown item error '{error}'."),
            };
            read++;
        }

        return read == writes.Count
            ? results
            : throw new InvalidOperationException($"quotakit.record_usage_batch_v8 answered {read} rows for {writes.Count} writes.");
    }

    private static NpgsqlParameter Array(NpgsqlDbType elementType) => new() { NpgsqlDbType = NpgsqlDbType.Array | elementType };
}
