using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>QuotaKit's SQL against PostgreSQL: every statement parameterised, one round trip each.</summary>
internal sealed class PostgreSqlUsageStore
{
    private const string ReadUsedSql =
        "SELECT used FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = $2 AND period_start = $3";

    private const string ReadCurrentSql =
        """
        SELECT c.feature_key, c.used
        FROM unnest($2::text[], $3::timestamptz[]) AS p(feature_key, period_start)
        JOIN quotakit.usage_counters c
          ON c.subject_id = $1 AND c.feature_key = p.feature_key AND c.period_start = p.period_start
        """;

    private const string ReadHistorySql =
        """
        SELECT period_start, period_end, used, limit_value
        FROM quotakit.usage_counters
        WHERE subject_id = $1 AND feature_key = $2 AND period_start < $4 AND period_end > $3
        ORDER BY period_start
        """;

    private readonly NpgsqlDataSource _dataSource;

    // Multiplexing data sources do not support explicit preparation (they auto-prepare when configured to).
    private readonly bool _prepare;

    // Reused hot-path commands: at most one per concurrent call, so bounded by the connection pool's size.
    private readonly ConcurrentQueue<RecordUsageStatement> _statements = new();

    public PostgreSqlUsageStore(QuotaKitDataSource dataSource)
    {
        _dataSource = dataSource.DataSource;
        _prepare = !new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).Multiplexing;
    }

    /// <summary>
    /// Calls <c>quotakit.record_usage</c>. Npgsql failures come out as <see cref="QuotaStoreUnavailableException"/>, saying
    /// whether the write may have committed; a counter overflow (22003) comes out as the <see cref="PostgresException"/>.
    /// Once the statement runs, its answer is read without the cancellation token: a write the server completed is reported.
    /// </summary>
    /// <remarks>
    /// The hot path allocates little: the command and its parameters are reused (<see cref="RecordUsageStatement"/>), the
    /// statement is prepared once per physical connection, and the state machine is pooled.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RecordUsageResult> RecordAsync(RecordUsageCommand call, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        var statement = _statements.TryDequeue(out var pooled) ? pooled : new RecordUsageStatement();
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, call.Describe());
        }

        await using (connection.ConfigureAwait(false))
        {
            statement.Bind(call);
            statement.Command.Connection = connection;
            try
            {
                if (_prepare)
                {
                    // Persistent prepared statement: one round trip the first time on a physical connection, none afterwards.
                    await statement.Command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (NpgsqlException exception)
            {
                throw StoreFailure.NothingWritten(exception, call.Describe());
            }

            RecordUsageResult result;
            try
            {
                await using var reader = await statement.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                result = await ReadRecordResultAsync(reader).ConfigureAwait(false);
            }
            catch (NpgsqlException exception) when (exception is not PostgresException { SqlState: PostgresErrorCodes.NumericValueOutOfRange })
            {
                throw StoreFailure.AfterSend(exception, call.Describe());
            }

            // Only a statement that completed goes back to the pool; after an exception it is dropped.
            statement.Clear();
            _statements.Enqueue(statement);
            return result;
        }
    }

    private static async ValueTask<RecordUsageResult> ReadRecordResultAsync(NpgsqlDataReader reader)
    {
        if (!await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException("quotakit.record_usage returned no row.");
        }

        var outcome = (UsageOutcome)reader.GetInt16(0);
        var used = reader.GetInt64(1);
        if (!reader.GetBoolean(4))
        {
            return new RecordUsageResult(outcome, used, reader.GetInt32(2), reader.GetInt32(3), Replay: null);
        }

        var stored = new StoredCall(
            FeatureKey: reader.GetString(5),
            Operation: reader.GetString(6),
            Amount: reader.GetInt64(7),
            Period: new UsagePeriod(ReadInstant(reader, 8), ReadInstant(reader, 9)),
            Limit: FeatureLimit.FromParts((LimitKind)reader.GetInt16(10), reader.IsDBNull(11) ? null : reader.GetInt64(11), reader.GetBoolean(12)));
        return new RecordUsageResult(outcome, used, 0, 0, stored);
    }

    /// <summary>Closes the pool's idle connections, which may be dead after a server restart or a terminated session.</summary>
    public void DropIdleConnections() => _dataSource.Clear();

    public async Task<long> ReadUsedAsync(string subjectId, string featureKey, Instant periodStart, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadUsedSql);
        command.Parameters.Add(Text(subjectId));
        command.Parameters.Add(Text(featureKey));
        command.Parameters.Add(Timestamp(periodStart));
        var used = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return used is long value ? value : 0;
    }

    /// <summary>Usage of each (feature, period start) pair for one subject; pairs without a counter are absent.</summary>
    public async Task<Dictionary<string, long>> ReadCurrentAsync(
        string subjectId, string[] featureKeys, DateTime[] periodStarts, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadCurrentSql);
        command.Parameters.Add(Text(subjectId));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = featureKeys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = periodStarts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            used[reader.GetString(0)] = reader.GetInt64(1);
        }

        return used;
    }

    public async Task<List<(UsagePeriod Period, long Used, long? LimitValue)>> ReadHistoryAsync(
        string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadHistorySql);
        command.Parameters.Add(Text(subjectId));
        command.Parameters.Add(Text(featureKey));
        command.Parameters.Add(Timestamp(from));
        command.Parameters.Add(Timestamp(to));
        var rows = new List<(UsagePeriod, long, long?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add((new UsagePeriod(ReadInstant(reader, 0), ReadInstant(reader, 1)), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        }

        return rows;
    }

    internal static NpgsqlParameter<DateTime> Timestamp(Instant instant) =>
        new() { TypedValue = instant.ToDateTimeUtc(), NpgsqlDbType = NpgsqlDbType.TimestampTz };

    internal static Instant ReadInstant(NpgsqlDataReader reader, int ordinal) =>
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    internal static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };
}
