using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The <see cref="UsageStore"/> on PostgreSQL: each write is one call of <c>quotakit.record_usage_v8</c> (one round trip,
/// one transaction, the subject's version verified and the counter row locked while it decides; a write made with an
/// outdated or guessed context comes back with the current one); reads are single parameterised statements. Npgsql
/// failures come out as <see cref="QuotaStoreUnavailableException"/>, saying whether a write may have committed.
/// </summary>
internal sealed partial class PostgreSqlUsageStore : UsageStore, IAsyncDisposable, IDisposable
{
    // The period holding the instant: the latest one starting at or before it, if it has not ended (as record_usage_v2 finds it).
    private const string ReadCountersSql =
        """
        SELECT k.i, c.period_start, c.period_end, c.used, c.limit_value, c.updated_at, c.blocks_burned
        FROM unnest($2::text[]) WITH ORDINALITY AS k(feature_key, i)
        CROSS JOIN LATERAL (
            SELECT period_start, period_end, used, limit_value, updated_at, blocks_burned
            FROM quotakit.usage_counters
            WHERE subject_id = $1 AND feature_key = k.feature_key AND period_start <= $3
            ORDER BY period_start DESC
            LIMIT 1) c
        WHERE c.period_end > $3
        """;

    // Each period with what it burned from each credit block (units > 0), in the blocks' burn order.
    private const string ReadHistorySql =
        """
        SELECT c.period_start, c.period_end, c.used, c.limit_value, c.updated_at, c.blocks_burned, b.ids, b.units
        FROM quotakit.usage_counters c
        LEFT JOIN LATERAL (
            SELECT array_agg(cb.block_id ORDER BY k.priority, k.valid_until, k.created_at, k.id) AS ids,
                array_agg(cb.units ORDER BY k.priority, k.valid_until, k.created_at, k.id) AS units
            FROM quotakit.credit_burns cb
            JOIN quotakit.credit_blocks k ON k.subject_id = cb.subject_id AND k.id = cb.block_id
            WHERE cb.subject_id = c.subject_id AND cb.feature_key = c.feature_key AND cb.period_start = c.period_start
              AND cb.units > 0) b ON true
        WHERE c.subject_id = $1 AND c.feature_key = $2 AND c.period_start < $4 AND c.period_end > $3
        ORDER BY c.period_start
        """;

    private const string ForgetKeysSql =
        "UPDATE quotakit.usage_events SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND recorded_at < $1";

    // Settled holds answer a repeated commit or release; they are forgotten with the keys, which answer a repeated reserve.
    private const string ForgetSettledHoldsSql = "DELETE FROM quotakit.usage_holds WHERE state <> 'held' AND settled_at < $1";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _recordAllEvents;

    // Multiplexing data sources do not support explicit preparation (they auto-prepare when configured to).
    private readonly bool _prepare;

    // Reused hot-path commands: at most one per concurrent call, so bounded by the connection pool's size.
    private readonly ConcurrentQueue<RecordUsageStatement> _statements = new();

    // Reusable batches of writes (BatchStatement), one per batch in flight.
    private readonly ConcurrentQueue<BatchStatement> _batchStatements = new();

    // Set when QuotaKitPostgreSqlOptions.CoalesceWrites is on: single writes then go through it.
    private readonly WriteCoalescer? _coalescer;

    // QuotaKitPostgreSqlOptions.ReadConnectionString's replica (owned here), and whether checks read it too.
    private readonly NpgsqlDataSource? _replica;
    private readonly bool _checksFromReplica;
    private readonly ILogger _logger;

    public PostgreSqlUsageStore(
        QuotaKitDataSource dataSource, IOptions<QuotaKitPostgreSqlOptions> options, ILogger<PostgreSqlUsageStore>? logger = null)
    {
        _dataSource = dataSource.DataSource;
        _logger = logger ?? NullLogger<PostgreSqlUsageStore>.Instance;
        if (options.Value.ReadConnectionString is { } replica)
        {
            _replica = NpgsqlDataSource.Create(replica);
            _checksFromReplica = options.Value.ChecksFromReadReplica;
            var host = new NpgsqlConnectionStringBuilder(replica).Host;
            LogReplicaReads(host, _checksFromReplica);
        }

        _recordAllEvents = options.Value.RecordAllEvents;
        _prepare = !new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).Multiplexing;
        if (options.Value.CoalesceWrites)
        {
            _coalescer = new WriteCoalescer(
                WriteOneAsync, WriteBatchAsync, options.Value.CoalescingSenders, IUsageMeter.ChunkSize, options.Value.CoalesceLoneWritesAsBatches);
        }
    }

    /// <summary>The coalescer of single writes; <c>null</c> unless <see cref="QuotaKitPostgreSqlOptions.CoalesceWrites"/> is on.</summary>
    internal WriteCoalescer? Coalescer => _coalescer;

    /// <summary>One write: one call of record_usage_v8, or, when writes are coalesced, a place in the next batch.</summary>
    public override ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        // A reservation is never coalesced: record_usage_batch_v8 stores no holds.
        return _coalescer is null || write.HoldExpiresAt is not null
            ? WriteOneAsync(write, cancellationToken)
            : _coalescer.WriteAsync(write, cancellationToken);
    }

    /// <remarks>
    /// Once the statement runs, its answer is read without the cancellation token: a write the server completed is
    /// reported. The hot path allocates little: the command and its parameters are reused
    /// (<see cref="RecordUsageStatement"/>), the statement is prepared once per physical connection, and the state
    /// machine is pooled.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UsageWriteResult> WriteOneAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        var isReservation = write.HoldExpiresAt is not null;
        var statement = isReservation ? new RecordUsageStatement(reserve: true)
            : _statements.TryDequeue(out var pooled) ? pooled : new RecordUsageStatement();
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, write.ToString());
        }

        await using (connection.ConfigureAwait(false))
        {
            statement.Bind(write, _recordAllEvents || write.RecordEvent);
            statement.Command.Connection = connection;
            try
            {
                // Stryker disable once Statement,Block : equivalent. Preparing is a performance choice; Npgsql runs the same
                // statement unprepared, with the same results (docs/mutation-testing.md). Whether to prepare is not:
                // multiplexing refuses it (MultiplexingTests).
                if (_prepare)
                {
                    // Persistent prepared statement: one round trip the first time on a physical connection, none afterwards.
                    await statement.Command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (NpgsqlException exception)
            {
                throw StoreFailure.NothingWritten(exception, write.ToString());
            }

            UsageWriteResult result;
            try
            {
                await using var reader = await statement.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                result = await RecordUsageReader.ReadAsync(reader).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
            {
                throw new InvalidAmountException(write.Amount, $"the counter of {write} would exceed {long.MaxValue} units. Nothing was written; refund units or wait for the next period.");
            }
            catch (NpgsqlException exception)
            {
                throw StoreFailure.AfterSend(exception, write.ToString());
            }

            // Only a statement that completed goes back to the pool; after an exception it is dropped.
            // Stryker disable once all : equivalent. Bind sets every parameter and the connection again.
            statement.Clear();
            if (isReservation)
            {
                await statement.Command.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                // Stryker disable once all : equivalent. Without the pool a new statement is built.
                _statements.Enqueue(statement);
            }

            return result;
        }
    }

    /// <summary>
    /// True unless writes are coalesced: <c>record_usage_v8</c> verifies the subject's version before it writes anything,
    /// but a coalesced write may go through <c>record_usage_batch_v8</c>, which does not (yet).
    /// </summary>
    public override bool VerifiesSubjectVersions => _coalescer is null;

    /// <summary>
    /// All the writes in one call of <c>quotakit.record_usage_batch_v8</c>: one round trip, one transaction, decided as
    /// <see cref="WriteAsync"/> decides each, in list order per counter. Failures are judged as for one write.
    /// </summary>
    public override async ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return [];
        }

        // The release of expired holds, then the batch (BatchStatement): one round trip, one transaction.
        var statement = _batchStatements.TryDequeue(out var pooled) ? pooled : new BatchStatement();
        await using var batch = statement.CreateBatch(writes, _recordAllEvents);
        NpgsqlConnection connection;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            batch.Connection = connection;
            // Stryker disable once Statement,Block : equivalent. Preparing is a performance choice (as for one write above).
            if (_prepare)
            {
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, BatchOperation(writes));
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                IReadOnlyList<UsageWriteResult> results;
                await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    results = await RecordUsageBatch.ReadAsync(reader, writes).ConfigureAwait(false);
                }

                // Only a statement that completed goes back to the pool; after an exception it is dropped.
                statement.Detach(batch);
                // Stryker disable once all : equivalent. Without the pool a new batch statement is built.
                _batchStatements.Enqueue(statement);
                return results;
            }
            catch (NpgsqlException exception)
            {
                throw StoreFailure.AfterSend(exception, BatchOperation(writes));
            }
        }
    }

    // Formed only when a batch fails: a coalesced write pays for every allocation of its batch (issue 16: 2 KB a call).
    private static string BatchOperation(IReadOnlyList<UsageWrite> writes) => $"a batch of {writes.Count} writes";

    /// <summary>True: holds are stored in <c>quotakit.usage_holds</c> (schema version 6).</summary>
    public override bool SupportsReservations => true;

    /// <summary>One call of <c>quotakit.settle_hold_v8</c>: one round trip, one transaction.</summary>
    public override ValueTask<HoldSettleResult> SettleHoldAsync(HoldSettleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SettleHoldCall.ExecuteAsync(_dataSource, request, cancellationToken);
    }

    /// <summary>One call of <c>quotakit.reset_counter_v8</c>.</summary>
    public override async Task<bool> ResetCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT quotakit.reset_counter_v8($1, $2, $3)");
        command.Parameters.Add(NpgsqlValues.Text(subjectId));
        command.Parameters.Add(NpgsqlValues.Text(featureKey));
        command.Parameters.Add(NpgsqlValues.Timestamp(at));
        try
        {
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, $"the reset of '{featureKey}' for subject '{subjectId}'");
        }
    }

    /// <summary>Checks that the database answers and has the schema version this QuotaKit needs.</summary>
    /// <exception cref="QuotaKitSchemaVersionException">It has an older schema version, or none.</exception>
    public override Task VerifyReadyAsync(CancellationToken cancellationToken) =>
        SchemaVersionReader.VerifyAsync(_dataSource, cancellationToken);

    /// <summary>Closes the pool's idle connections, which may be dead after a server restart or a terminated session.</summary>
    public override void PrepareRetry() => _dataSource.Clear();

    // CheckAsync reads one counter; GetUsageAsync reads them all (ReadCountersAsync).
    public override async Task<StoredPeriod?> ReadCounterAsync(string subjectId, string featureKey, Instant at, CancellationToken cancellationToken) =>
        (await ReadCountersAsync(subjectId, [featureKey], at, _checksFromReplica, cancellationToken).ConfigureAwait(false))[0];

    public override Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, CancellationToken cancellationToken) =>
        ReadCountersAsync(subjectId, featureKeys, at, fromReplica: true, cancellationToken);

    private Task<IReadOnlyList<StoredPeriod?>> ReadCountersAsync(
        string subjectId, IReadOnlyList<string> featureKeys, Instant at, bool fromReplica, CancellationToken cancellationToken) =>
        ReadingAsync<IReadOnlyList<StoredPeriod?>>($"a usage read for subject '{subjectId}'", fromReplica, async source =>
        {
            await using var command = source.CreateCommand(ReadCountersSql);
            command.Parameters.Add(NpgsqlValues.Text(subjectId));
            command.Parameters.Add(NpgsqlValues.TextArray([.. featureKeys]));
            command.Parameters.Add(NpgsqlValues.Timestamp(at));
            var counters = new StoredPeriod?[featureKeys.Count];
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counters[reader.GetInt64(0) - 1] = new StoredPeriod(
                    new UsagePeriod(NpgsqlValues.ReadInstant(reader, 1), NpgsqlValues.ReadInstant(reader, 2)),
                    reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    NpgsqlValues.ReadInstant(reader, 5))
                {
                    BlocksBurned = reader.GetInt64(6),
                };
            }

            return counters;
        });

    public override Task<IReadOnlyList<StoredPeriod>> ReadHistoryAsync(
        string subjectId, string featureKey, UsagePeriod range, CancellationToken cancellationToken) =>
        ReadingAsync<IReadOnlyList<StoredPeriod>>($"a history read for subject '{subjectId}'", fromReplica: true, async source =>
        {
            await using var command = source.CreateCommand(ReadHistorySql);
            command.Parameters.Add(NpgsqlValues.Text(subjectId));
            command.Parameters.Add(NpgsqlValues.Text(featureKey));
            command.Parameters.Add(NpgsqlValues.Timestamp(range.Start));
            command.Parameters.Add(NpgsqlValues.Timestamp(range.End));
            var rows = new List<StoredPeriod>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new StoredPeriod(
                    new UsagePeriod(NpgsqlValues.ReadInstant(reader, 0), NpgsqlValues.ReadInstant(reader, 1)),
                    reader.GetInt64(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    NpgsqlValues.ReadInstant(reader, 4))
                {
                    BlocksBurned = reader.GetInt64(5),
                    Burns = ReadBurns(reader, 6),
                });
            }

            return rows;
        });

    public override async Task<int> ForgetIdempotencyKeysAsync(Instant recordedBefore, CancellationToken cancellationToken)
    {
        // The ledger row stays (audit, recount); only the key is forgotten, so a very late retry counts again.
        await using var batch = _dataSource.CreateBatch();
        var forgetKeys = new NpgsqlBatchCommand(ForgetKeysSql) { Parameters = { NpgsqlValues.Timestamp(recordedBefore) } };
        batch.BatchCommands.Add(forgetKeys);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ForgetSettledHoldsSql) { Parameters = { NpgsqlValues.Timestamp(recordedBefore) } });
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return forgetKeys.RecordsAffected;
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, "the idempotency-key purge");
        }
    }

    /// <summary>Runs <paramref name="read"/> on the replica when one is configured and <paramref name="fromReplica"/>;
    /// when the replica fails, on the primary, with a warning; a failure of the primary is the store's failure.</summary>
    private async Task<T> ReadingAsync<T>(string operation, bool fromReplica, Func<NpgsqlDataSource, Task<T>> read)
    {
        if (fromReplica && _replica is not null)
        {
            try
            {
                return await read(_replica).ConfigureAwait(false);
            }
            catch (NpgsqlException exception)
            {
                LogReplicaFailed(exception, operation);
            }
        }

        try
        {
            return await read(_dataSource).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, operation);
        }
    }

    public void Dispose() => _replica?.Dispose();

    public ValueTask DisposeAsync() => _replica?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "QuotaKit reads usage and history from the replica at {Host} (checks too: {ChecksFromReplica}); writes go to the primary")]
    private partial void LogReplicaReads(string? host, bool checksFromReplica);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QuotaKit's read replica failed during {Operation}; the primary answered instead")]
    private partial void LogReplicaFailed(Exception exception, string operation);
}
