using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// One call of <c>quotakit.record_usage_batch</c>: the writes as 18 arrays (element i of each is write i, with the
/// parameters <see cref="RecordUsageStatement"/> sends for one write), and the answer, one row per write.
/// </summary>
internal static class RecordUsageBatch
{
    public const string Sql =
        "SELECT * FROM quotakit.record_usage_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

    // The SQLSTATE the function answers for an item whose counter would pass the largest bigint.
    private const string NumericValueOutOfRange = "22003";

    /// <summary>The subject ids of a command made by <see cref="CreateCommand"/> (its first array).</summary>
    public static string[] Subjects(NpgsqlBatchCommand command) => (string[])command.Parameters[0].Value!;

    /// <summary>The feature keys of a command made by <see cref="CreateCommand"/> (its second array).</summary>
    public static string[] Features(NpgsqlBatchCommand command) => (string[])command.Parameters[1].Value!;

    /// <summary>A command for <paramref name="writes"/>; <paramref name="recordAllEvents"/> is the store's option.</summary>
    public static NpgsqlBatchCommand CreateCommand(IReadOnlyList<UsageWrite> writes, bool recordAllEvents)
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
        var thresholdCount = writes.Max(w => w.AlertThresholds.Count);

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
            var own = write.AlertThresholds;
            for (var t = 0; t < own.Count; t++)
            {
                thresholds[i, t] = own[t];
            }
        }

        var command = new NpgsqlBatchCommand(Sql);
        var p = command.Parameters;
        p.Add(Array(subjects, NpgsqlDbType.Text));
        p.Add(Array(features, NpgsqlDbType.Text));
        p.Add(Array(starts, NpgsqlDbType.TimestampTz));
        p.Add(Array(ends, NpgsqlDbType.TimestampTz));
        p.Add(Array(operations, NpgsqlDbType.Text));
        p.Add(Array(amounts, NpgsqlDbType.Bigint));
        p.Add(Array(limits, NpgsqlDbType.Bigint));
        p.Add(Array(enforce, NpgsqlDbType.Boolean));
        p.Add(Array(deniedOutcomes, NpgsqlDbType.Smallint));
        p.Add(Array(limitKinds, NpgsqlDbType.Smallint));
        p.Add(Array(limitSoft, NpgsqlDbType.Boolean));
        p.Add(Array(thresholdCount == 0 ? System.Array.Empty<int>() : thresholds, NpgsqlDbType.Integer));
        p.Add(Array(now, NpgsqlDbType.TimestampTz));
        p.Add(Array(occurredAt, NpgsqlDbType.TimestampTz));
        p.Add(Array(keys, NpgsqlDbType.Text));
        p.Add(Array(metadata, NpgsqlDbType.Jsonb));
        p.Add(Array(recordEvents, NpgsqlDbType.Boolean));
        p.Add(Array(callIds, NpgsqlDbType.Uuid));
        return command;
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
                null => RecordUsageReader.FromRow(reader, 1),
                NumericValueOutOfRange => UsageWriteResult.Failed(new InvalidAmountException(
                    writes[index].Amount,
                    $"the counter of {writes[index]} would exceed {long.MaxValue} units. Nothing of this record was written; refund units or wait for the next period.")),
                _ => throw new InvalidOperationException($"quotakit.record_usage_batch answered the unknown item error '{error}'."),
            };
            read++;
        }

        return read == writes.Count
            ? results
            : throw new InvalidOperationException($"quotakit.record_usage_batch answered {read} rows for {writes.Count} writes.");
    }

    private static NpgsqlParameter Array(System.Array values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };
}
