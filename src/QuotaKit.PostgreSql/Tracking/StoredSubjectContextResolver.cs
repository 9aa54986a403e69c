using System.Collections.Concurrent;
using NodaTime;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads a subject's plan, zone, anchor, overrides and grants from QuotaKit's tables in one round trip and caches them
/// for <see cref="QuotaKitOptions.SubjectCacheDuration"/>. Unknown subjects are cached as the default context too.
/// Changes made through <see cref="IQuotaAdministration"/> in this process evict the entry at once; other processes see
/// them when their entry expires.
/// </summary>
internal sealed class StoredSubjectContextResolver : ISubjectContextResolver
{
    private const int MaxCachedSubjects = 100_000;

    private static readonly string[] ReadSql =
    [
        "SELECT plan_key, billing_anchor, time_zone FROM quotakit.subjects WHERE subject_id = $1",
        "SELECT feature_key, limit_value, is_disabled, is_soft FROM quotakit.subject_limit_overrides WHERE subject_id = $1",
        "SELECT feature_key, amount, valid_from, valid_until, reason FROM quotakit.subject_grants WHERE subject_id = $1 ORDER BY id",
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly IClock _clock;
    private readonly Duration _cacheDuration;
    private readonly ConcurrentDictionary<string, (SubjectContext Context, Instant Expires)> _cache = new(StringComparer.Ordinal);

    public StoredSubjectContextResolver(QuotaKitDataSource dataSource, IClock clock, QuotaKitRuntime runtime)
    {
        _dataSource = dataSource.DataSource;
        _clock = clock;
        _cacheDuration = runtime.Options.SubjectCacheDuration;
    }

    public async ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The cache ages by real time, not the (possibly simulated) usage clock.
        var now = SystemClock.Instance.GetCurrentInstant();
        if (_cache.TryGetValue(subjectId, out var entry) && entry.Expires > now)
        {
            return entry.Context;
        }

        var context = await ReadAsync(subjectId, cancellationToken).ConfigureAwait(false);
        if (_cacheDuration > Duration.Zero)
        {
            if (_cache.Count >= MaxCachedSubjects)
            {
                _cache.Clear();
            }

            _cache[subjectId] = (context, now + _cacheDuration);
        }

        return context;
    }

    public void Invalidate(string subjectId) => _cache.TryRemove(subjectId, out _);

    public async Task<SubjectContext> ReadAsync(string subjectId, CancellationToken cancellationToken)
    {
        // Three statements, one round trip.
        await using var batch = _dataSource.CreateBatch();
        foreach (var sql in ReadSql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(PostgreSqlUsageStore.Text(subjectId));
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        var context = SubjectContext.Default;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            context = context with
            {
                PlanKey = reader.IsDBNull(0) ? null : reader.GetString(0),
                BillingAnchor = reader.IsDBNull(1) ? null : PostgreSqlUsageStore.ReadInstant(reader, 1),
                TimeZone = reader.IsDBNull(2) ? null : TimeZones.Get(reader.GetString(2)),
            };
        }

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
                reader.GetString(0), reader.GetInt64(1), PostgreSqlUsageStore.ReadInstant(reader, 2),
                PostgreSqlUsageStore.ReadInstant(reader, 3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return overrides.Count == 0 && grants.Count == 0 ? context : context with { Overrides = overrides, Grants = grants };
    }

    // An override row stores no kind: disabled wins, then a missing number means unlimited.
    private static FeatureLimit StoredOverride(long? value, bool disabled, bool soft) =>
        FeatureLimit.FromParts(disabled ? LimitKind.Disabled : value is null ? LimitKind.Unlimited : LimitKind.Limited, value, soft);
}
