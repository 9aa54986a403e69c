using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;

namespace QuotaKit.PostgreSql;

internal sealed partial class PostgreSqlUsageRecounter : IUsageRecounter
{
    // Counters in scope with every ledger event of theirs, in ledger order. One statement, so one consistent snapshot:
    // record_usage commits a counter's value and its event together.
    private const string CountersSql = """
        SELECT c.subject_id, c.feature_key, c.period_start, c.period_end, c.used, e.operation, e.amount, e.outcome
        FROM quotakit.usage_counters c
        LEFT JOIN quotakit.usage_events e
          ON e.subject_id = c.subject_id AND e.feature_key = c.feature_key AND e.period_start = c.period_start
        WHERE ($1::text IS NULL OR c.subject_id = $1) AND ($2::text IS NULL OR c.feature_key = $2)
          AND ($3::timestamptz IS NULL OR c.period_end > $3) AND ($4::timestamptz IS NULL OR c.period_start < $4)
        ORDER BY c.subject_id, c.feature_key, c.period_start, e.id
        """;

    // Applied events whose counter does not exist (deleted by hand, or lost in a restore).
    private const string OrphanEventsSql = """
        SELECT e.subject_id, e.feature_key, e.period_start, e.period_end, NULL::bigint, e.operation, e.amount, e.outcome
        FROM quotakit.usage_events e
        WHERE e.outcome = 0
          AND ($1::text IS NULL OR e.subject_id = $1) AND ($2::text IS NULL OR e.feature_key = $2)
          AND ($3::timestamptz IS NULL OR e.period_end > $3) AND ($4::timestamptz IS NULL OR e.period_start < $4)
          AND NOT EXISTS (SELECT 1 FROM quotakit.usage_counters c
                          WHERE c.subject_id = e.subject_id AND c.feature_key = e.feature_key AND c.period_start = e.period_start)
        ORDER BY e.subject_id, e.feature_key, e.period_start, e.id
        """;

    // The hot path's lock (record_usage step 2): while it is held no usage call can change the counter or add its event.
    private const string LockSql = """
        SELECT c.used FROM quotakit.usage_counters c
        WHERE c.subject_id = $1 AND c.feature_key = $2 AND c.period_start = $3
        FOR UPDATE
        """;

    private const string EventsSql = """
        SELECT e.operation, e.amount FROM quotakit.usage_events e
        WHERE e.subject_id = $1 AND e.feature_key = $2 AND e.period_start = $3 AND e.outcome = 0
        ORDER BY e.id
        """;

    // updated_at is left alone: record_usage reads it as the time of the period's last usage call (schedule changes).
    private const string RepairSql = """
        UPDATE quotakit.usage_counters c SET used = $4
        WHERE c.subject_id = $1 AND c.feature_key = $2 AND c.period_start = $3
        """;

    private readonly QuotaKitDataSource _dataSource;
    private readonly IOptions<QuotaKitOptions> _options;
    private readonly ILogger<PostgreSqlUsageRecounter> _logger;

    public PostgreSqlUsageRecounter(
        QuotaKitDataSource dataSource, IOptions<QuotaKitOptions> options, ILogger<PostgreSqlUsageRecounter>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger ?? NullLogger<PostgreSqlUsageRecounter>.Instance;
    }

    public async Task<RecountReport> RecountAsync(
        RecountScope scope, RecountOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Validate(scope);
        options ??= new RecountOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ProgressInterval, 1, nameof(options));

        try
        {
            var found = new List<CounterDiscrepancy>();
            var (checkedCount, withoutEvents) = await CheckAsync(CountersSql, scope, options, found, cancellationToken).ConfigureAwait(false);
            await CheckAsync(OrphanEventsSql, scope, options: null, found, cancellationToken).ConfigureAwait(false);

            var discrepancies = new List<CounterDiscrepancy>(found.Count);
            foreach (var discrepancy in found)
            {
                discrepancies.Add(options.Repair && discrepancy.Stored is not null
                    ? await RepairAsync(discrepancy, cancellationToken).ConfigureAwait(false)
                    : discrepancy);
            }

            var report = new RecountReport(scope, checkedCount, withoutEvents, discrepancies);
            LogRecounted(scope, report.CountersChecked, report.Discrepancies.Count, report.Repaired, report.CountersWithoutEvents);
            return report;
        }
        catch (NpgsqlException exception) when (exception is not PostgresException)
        {
            throw new QuotaStoreUnavailableException($"recount of {scope}", outcomeUnknown: false, isTransient: true, exception);
        }
    }

    private void Validate(RecountScope scope)
    {
        if (scope.SubjectId is not null && string.IsNullOrWhiteSpace(scope.SubjectId))
        {
            throw new InvalidSubjectException("it is empty or whitespace; leave RecountScope.SubjectId null to recount every subject.");
        }

        if (scope.FeatureKey is not null && !_options.Value.Features.ContainsKey(scope.FeatureKey))
        {
            throw new UnknownFeatureException(scope.FeatureKey);
        }

        if (scope is { PeriodsFrom: { } from, PeriodsUntil: { } until } && until <= from)
        {
            throw new ArgumentException($"The recount's periods end ({until}) must come after their start ({from}).", nameof(scope));
        }
    }

    /// <summary>Streams the rows of <paramref name="sql"/>, one counter after another, and adds each one that differs.</summary>
    private async Task<(long Checked, long WithoutEvents)> CheckAsync(
        string sql, RecountScope scope, RecountOptions? options, List<CounterDiscrepancy> found, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.DataSource.CreateCommand(sql);
        command.Parameters.Add(NpgsqlValues.NullableText(scope.SubjectId));
        command.Parameters.Add(NpgsqlValues.NullableText(scope.FeatureKey));
        command.Parameters.Add(NpgsqlValues.NullableTimestamp(scope.PeriodsFrom));
        command.Parameters.Add(NpgsqlValues.NullableTimestamp(scope.PeriodsUntil));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        long checkedCount = 0, withoutEvents = 0;
        CounterTally? current = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var subject = reader.GetString(0);
            var feature = reader.GetString(1);
            var start = NpgsqlValues.ReadInstant(reader, 2);
            if (current is null || !current.Is(subject, feature, start))
            {
                Finish(current);
                current = new CounterTally(subject, feature, start, NpgsqlValues.ReadInstant(reader, 3), reader.IsDBNull(4) ? null : reader.GetInt64(4));
            }

            if (!reader.IsDBNull(5))
            {
                current.HasEvents = true;
                if (reader.GetInt16(7) == 0)
                {
                    current.Expected = LedgerReplay.Apply(current.Expected, reader.GetString(5), reader.GetInt64(6));
                }
            }
        }

        Finish(current);
        options?.Progress?.Report(checkedCount);
        return (checkedCount, withoutEvents);

        void Finish(CounterTally? tally)
        {
            if (tally is null)
            {
                return;
            }

            if (!tally.HasEvents)
            {
                withoutEvents++;
                return;
            }

            checkedCount++;
            if (tally.Stored != tally.Expected && (tally.Stored is not null || tally.Expected != 0))
            {
                found.Add(new CounterDiscrepancy(tally.Subject, tally.Feature, tally.Start, tally.End, tally.Stored, tally.Expected, null));
            }

            if (options?.Progress is { } progress && checkedCount % options.ProgressInterval == 0)
            {
                progress.Report(checkedCount);
            }
        }
    }

    /// <summary>Locks the counter as the hot path does, recomputes it from the ledger under the lock, and writes it if it differs.</summary>
    private async Task<CounterDiscrepancy> RepairAsync(CounterDiscrepancy found, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long stored;
        await using (var lockCommand = Command(connection, transaction, LockSql, found))
        {
            if (await lockCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long value)
            {
                return found; // deleted since it was checked: nothing to repair
            }

            stored = value;
        }

        long expected = 0;
        await using (var events = Command(connection, transaction, EventsSql, found))
        await using (var reader = await events.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                expected = LedgerReplay.Apply(expected, reader.GetString(0), reader.GetInt64(1));
            }
        }

        if (expected == stored)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return found;
        }

        await using (var repair = Command(connection, transaction, RepairSql, found))
        {
            repair.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
            await repair.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogRepaired(found.SubjectId, found.FeatureKey, found.PeriodStart, stored, expected);
        return found with { Stored = stored, Expected = expected, RepairedTo = expected };
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CounterDiscrepancy counter)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(NpgsqlValues.Text(counter.SubjectId));
        command.Parameters.Add(NpgsqlValues.Text(counter.FeatureKey));
        command.Parameters.Add(NpgsqlValues.Timestamp(counter.PeriodStart));
        return command;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Recount of {Scope}: {Checked} counter(s) checked, {Discrepancies} discrepancy(ies), {Repaired} repaired, {WithoutEvents} without events")]
    private partial void LogRecounted(RecountScope scope, long @checked, int discrepancies, int repaired, long withoutEvents);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Recount repaired {SubjectId} / {FeatureKey} period {PeriodStart}: stored {Stored}, ledger {Expected}")]
    private partial void LogRepaired(string subjectId, string featureKey, Instant periodStart, long stored, long expected);

    private sealed class CounterTally(string subject, string feature, Instant start, Instant end, long? stored)
    {
        public string Subject { get; } = subject;

        public string Feature { get; } = feature;

        public Instant Start { get; } = start;

        public Instant End { get; } = end;

        public long? Stored { get; } = stored;

        public long Expected { get; set; }

        public bool HasEvents { get; set; }

        public bool Is(string subject, string feature, Instant start) =>
            Subject == subject && Feature == feature && Start == start;
    }
}
