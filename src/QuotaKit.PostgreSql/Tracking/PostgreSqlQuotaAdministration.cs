using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary><see cref="IQuotaAdministration"/> on QuotaKit's tables; every write is one parameterised upsert.</summary>
internal sealed class PostgreSqlQuotaAdministration : IQuotaAdministration
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly QuotaKitRuntime _runtime;
    private readonly StoredSubjectContextResolver _resolver;
    private readonly IClock _clock;

    public PostgreSqlQuotaAdministration(
        QuotaKitDataSource dataSource, QuotaKitRuntime runtime, StoredSubjectContextResolver resolver, IClock clock)
    {
        _dataSource = dataSource.DataSource;
        _runtime = runtime;
        _resolver = resolver;
        _clock = clock;
    }

    public Task SetPlanAsync(string subjectId, string planKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.RequirePlan(planKey);

        return UpdateSubjectAsync(subjectId, SubjectUpserts.PlanKey, Text(planKey), cancellationToken);
    }

    public Task SetTimeZoneAsync(string subjectId, string? timeZoneId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        if (timeZoneId is not null)
        {
            TimeZones.Get(timeZoneId);
        }

        return UpdateSubjectAsync(subjectId, SubjectUpserts.TimeZone, Text(timeZoneId), cancellationToken);
    }

    public Task SetBillingAnchorAsync(string subjectId, Instant? anchor, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var value = new NpgsqlParameter { Value = anchor.HasValue ? anchor.Value.ToDateTimeUtc() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
        return UpdateSubjectAsync(subjectId, SubjectUpserts.BillingAnchor, value, cancellationToken);
    }

    public async Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.GetFeature(featureKey);
        const string sql =
            """
            INSERT INTO quotakit.subject_limit_overrides (subject_id, feature_key, limit_value, is_disabled, is_soft, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (subject_id, feature_key) DO UPDATE
            SET limit_value = EXCLUDED.limit_value, is_disabled = EXCLUDED.is_disabled, is_soft = EXCLUDED.is_soft, updated_at = EXCLUDED.updated_at
            """;
        var limitValue = limit.Kind == LimitKind.Limited ? (object)limit.Value : DBNull.Value;
        await ExecuteAsync(subjectId, sql, cancellationToken,
            Text(featureKey),
            new NpgsqlParameter { Value = limitValue, NpgsqlDbType = NpgsqlDbType.Bigint },
            new NpgsqlParameter<bool> { TypedValue = limit.Kind == LimitKind.Disabled },
            new NpgsqlParameter<bool> { TypedValue = limit.IsSoft },
            PostgreSqlUsageStore.Timestamp(_clock.GetCurrentInstant())).ConfigureAwait(false);
    }

    public async Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.GetFeature(featureKey);
        await ExecuteAsync(subjectId, "DELETE FROM quotakit.subject_limit_overrides WHERE subject_id = $1 AND feature_key = $2",
            cancellationToken, Text(featureKey)).ConfigureAwait(false);
    }

    public async Task AddGrantAsync(
        string subjectId, string featureKey, long amount, Instant validFrom, Instant validUntil, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.GetFeature(featureKey);
        UsageArguments.ValidatePositive(amount);
        UsageArguments.ValidateGrantWindow(validFrom, validUntil);

        const string sql =
            """
            INSERT INTO quotakit.subject_grants (subject_id, feature_key, amount, valid_from, valid_until, reason, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """;
        await ExecuteAsync(subjectId, sql, cancellationToken,
            Text(featureKey),
            new NpgsqlParameter<long> { TypedValue = amount },
            PostgreSqlUsageStore.Timestamp(validFrom),
            PostgreSqlUsageStore.Timestamp(validUntil),
            Text(reason),
            PostgreSqlUsageStore.Timestamp(_clock.GetCurrentInstant())).ConfigureAwait(false);
    }

    public async Task<SubjectContext> GetSubjectAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        try
        {
            return await _resolver.ReadAsync(subjectId, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, $"a read of subject '{subjectId}'");
        }
    }

    public async Task<int> PurgeExpiredIdempotencyKeysAsync(CancellationToken cancellationToken = default)
    {
        // The ledger row stays (audit, recount); only the key is forgotten, so a very late retry counts again.
        const string sql =
            "UPDATE quotakit.usage_events SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND recorded_at < $1";
        var cutoff = _clock.GetCurrentInstant() - _runtime.Options.IdempotencyRetention;
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(PostgreSqlUsageStore.Timestamp(cutoff));
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, "the idempotency-key purge");
        }
    }

    private Task UpdateSubjectAsync(string subjectId, string upsertSql, NpgsqlParameter value, CancellationToken cancellationToken) =>
        ExecuteAsync(subjectId, upsertSql, cancellationToken, PostgreSqlUsageStore.Timestamp(_clock.GetCurrentInstant()), value);

    private async Task ExecuteAsync(string subjectId, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(Text(subjectId));
        command.Parameters.AddRange(parameters);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, $"an administration write for subject '{subjectId}'");
        }
        finally
        {
            _resolver.Invalidate(subjectId);
        }
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
