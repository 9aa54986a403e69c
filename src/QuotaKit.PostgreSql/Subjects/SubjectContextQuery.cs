using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads a subject's context (plan, anchor, zone, version, overrides, grants) with three statements added to a batch,
/// so it travels in one round trip, alone (<see cref="PostgreSqlSubjectStore.ReadAsync"/>) or after a write
/// (<see cref="UsageWrite.ReadsSubject"/>).
/// </summary>
internal static class SubjectContextQuery
{
    // The version is read first: each statement sees the data committed when it starts, so a change committed between
    // them leaves the version older than the rest, and a write made with that context is refused, never wrongly let
    // through. The LEFT JOIN always answers one row, with version 0 for a subject with nothing stored.
    private static readonly string[] Sql =
    [
        """
        SELECT s.plan_key, s.billing_anchor, s.time_zone, quotakit.subject_context_version($1)
        FROM (SELECT 1) AS one LEFT JOIN quotakit.subjects s ON s.subject_id = $1
        """,
        "SELECT feature_key, limit_value, is_disabled, is_soft FROM quotakit.subject_limit_overrides WHERE subject_id = $1",
        "SELECT feature_key, amount, valid_from, valid_until, reason FROM quotakit.subject_grants WHERE subject_id = $1 ORDER BY id",
    ];

    /// <summary>Appends the three statements for <paramref name="subjectId"/> to <paramref name="batch"/>.</summary>
    public static void AddTo(NpgsqlBatch batch, string subjectId)
    {
        foreach (var sql in Sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(NpgsqlValues.Text(subjectId));
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>Reads the context from the reader's current result set and the two after it, leaving the reader after them.</summary>
    public static async Task<SubjectContext> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var context = SubjectContext.Default with
        {
            PlanKey = reader.IsDBNull(0) ? null : reader.GetString(0),
            BillingAnchor = reader.IsDBNull(1) ? null : NpgsqlValues.ReadInstant(reader, 1),
            TimeZone = reader.IsDBNull(2) ? null : TimeZones.Get(reader.GetString(2)),
            Version = reader.GetInt64(3),
        };

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var overrides = new Dictionary<string, FeatureLimit>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            overrides[reader.GetString(0)] = StoredOverride(reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetBoolean(2), reader.GetBoolean(3));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var grants = new List<UsageGrant>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            grants.Add(new UsageGrant(
                reader.GetString(0), reader.GetInt64(1), NpgsqlValues.ReadInstant(reader, 2),
                NpgsqlValues.ReadInstant(reader, 3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return overrides.Count == 0 && grants.Count == 0 ? context : context with { Overrides = overrides, Grants = grants };
    }

    // An override row stores no kind: disabled wins, then a missing number means unlimited.
    private static FeatureLimit StoredOverride(long? value, bool disabled, bool soft) =>
        FeatureLimit.FromParts(disabled ? LimitKind.Disabled : value is null ? LimitKind.Unlimited : LimitKind.Limited, value, soft);
}
