using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The <see cref="SubjectStore"/> on QuotaKit's tables: a subject's plan, zone, anchor, version, overrides and grants are
/// read in one statement (<see cref="SubjectContextJson"/>); every write is one parameterised upsert, and the database's
/// triggers give the subject a new version and notify listening instances (schema version 3).
/// </summary>
internal sealed class PostgreSqlSubjectStore : SubjectStore
{
    private const string UpsertOverrideSql =
        """
        INSERT INTO quotakit.subject_limit_overrides (subject_id, feature_key, limit_value, is_disabled, is_soft, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $6)
        ON CONFLICT (subject_id, feature_key) DO UPDATE
        SET limit_value = EXCLUDED.limit_value, is_disabled = EXCLUDED.is_disabled, is_soft = EXCLUDED.is_soft, updated_at = EXCLUDED.updated_at
        """;

    private const string DeleteOverrideSql = "DELETE FROM quotakit.subject_limit_overrides WHERE subject_id = $1 AND feature_key = $2";

    private const string InsertGrantSql =
        """
        INSERT INTO quotakit.subject_grants (subject_id, feature_key, amount, valid_from, valid_until, reason, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """;

    // A plan change locks the subject's row first, creating it if missing, so that two changes of one subject are
    // judged one after the other against the plan each finds.
    private const string EnsureSubjectSql =
        "INSERT INTO quotakit.subjects (subject_id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (subject_id) DO NOTHING";

    private const string LockSubjectSql = "SELECT 1 FROM quotakit.subjects WHERE subject_id = $1 FOR UPDATE";

    private readonly NpgsqlDataSource _dataSource;

    public PostgreSqlSubjectStore(QuotaKitDataSource dataSource)
    {
        _dataSource = dataSource.DataSource;
    }

    public override async Task<SubjectContext> ReadAsync(string subjectId, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadContextAsync(subjectId, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, $"a read of subject '{subjectId}'");
        }
    }

    public override Task SetPlanAsync(string subjectId, string planKey, Instant now, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, SubjectUpserts.PlanKey, cancellationToken, NpgsqlValues.Timestamp(now), NpgsqlValues.Text(planKey));

    public override Task SetTimeZoneAsync(string subjectId, DateTimeZone? timeZone, Instant now, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, SubjectUpserts.TimeZone, cancellationToken, NpgsqlValues.Timestamp(now), NpgsqlValues.NullableText(timeZone?.Id));

    public override Task SetBillingAnchorAsync(string subjectId, Instant? anchor, Instant now, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, SubjectUpserts.BillingAnchor, cancellationToken, NpgsqlValues.Timestamp(now), NpgsqlValues.NullableTimestamp(anchor));

    public override Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, Instant now, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, UpsertOverrideSql, cancellationToken,
            NpgsqlValues.Text(featureKey),
            new NpgsqlParameter { Value = limit.Kind == LimitKind.Limited ? limit.Value : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
            new NpgsqlParameter<bool> { TypedValue = limit.Kind == LimitKind.Disabled },
            new NpgsqlParameter<bool> { TypedValue = limit.IsSoft },
            NpgsqlValues.Timestamp(now));

    public override Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, DeleteOverrideSql, cancellationToken, NpgsqlValues.Text(featureKey));

    public override Task AddGrantAsync(string subjectId, UsageGrant grant, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return ExecuteAsync(subjectId, InsertGrantSql, cancellationToken, GrantParameters(grant, now));
    }

    /// <summary>
    /// One transaction: the subject's row is created if missing and locked (a concurrent change of the subject waits), its
    /// context is read, and the plan, the resets (<c>quotakit.reset_counter_v6</c>) and the grants are written.
    /// </summary>
    public override async Task ChangePlanAsync(
        string subjectId, string planKey, Instant now, Func<SubjectContext, PlanChangeEffects> effectsOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(effectsOf);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await RunAsync(connection, EnsureSubjectSql, cancellationToken, NpgsqlValues.Text(subjectId), NpgsqlValues.Timestamp(now)).ConfigureAwait(false);
            await RunAsync(connection, LockSubjectSql, cancellationToken, NpgsqlValues.Text(subjectId)).ConfigureAwait(false);
            SubjectContext stored;
            await using (var read = new NpgsqlCommand(SubjectContextJson.ReadSql, connection) { Parameters = { NpgsqlValues.Text(subjectId) } })
            {
                stored = SubjectContextJson.Parse((string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            }

            var effects = effectsOf(stored);
            await RunAsync(connection, SubjectUpserts.PlanKey, cancellationToken,
                NpgsqlValues.Text(subjectId), NpgsqlValues.Timestamp(now), NpgsqlValues.Text(planKey)).ConfigureAwait(false);
            foreach (var featureKey in effects.ResetFeatureKeys)
            {
                await RunAsync(connection, "SELECT quotakit.reset_counter_v6($1, $2, $3)", cancellationToken,
                    NpgsqlValues.Text(subjectId), NpgsqlValues.Text(featureKey), NpgsqlValues.Timestamp(now)).ConfigureAwait(false);
            }

            foreach (var grant in effects.Grants)
            {
                await RunAsync(connection, InsertGrantSql, cancellationToken, [NpgsqlValues.Text(subjectId), .. GrantParameters(grant, now)]).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, $"a plan change of subject '{subjectId}'");
        }
    }

    private static async Task RunAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter[] GrantParameters(UsageGrant grant, Instant now) =>
    [
        NpgsqlValues.Text(grant.FeatureKey),
        new NpgsqlParameter<long> { TypedValue = grant.Amount },
        NpgsqlValues.Timestamp(grant.ValidFrom),
        NpgsqlValues.Timestamp(grant.ValidUntil),
        NpgsqlValues.NullableText(grant.Reason),
        NpgsqlValues.Timestamp(now),
    ];

    private async Task<SubjectContext> ReadContextAsync(string subjectId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(SubjectContextJson.ReadSql);
        command.Parameters.Add(NpgsqlValues.Text(subjectId));
        var json = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return SubjectContextJson.Parse(json);
    }

    private async Task ExecuteAsync(string subjectId, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(NpgsqlValues.Text(subjectId));
        command.Parameters.AddRange(parameters);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, $"an administration write for subject '{subjectId}'");
        }
    }
}
