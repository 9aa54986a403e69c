using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

internal sealed partial class PostgreSqlQuotaKitImporter : IQuotaKitImporter
{
    private const int ReadProgressInterval = 10_000;

    private const string SubjectsSql =
        "SELECT subject_id, plan_key, time_zone, billing_anchor FROM quotakit.subjects WHERE subject_id = ANY($1)";

    private const string StoredSql =
        "SELECT subject_id, feature_key, period_start, period_end, used FROM quotakit.usage_counters WHERE subject_id = ANY($1)";

    // No conflict target: a counter written meanwhile by the app (same key, or an overlapping period) is left as it is
    // and reported as a conflict, never overwritten.
    private const string InsertSql = """
        INSERT INTO quotakit.usage_counters AS c (subject_id, feature_key, period_start, period_end, used, limit_value,
            alerted_percent, created_at, updated_at)
        SELECT s, f, ps, pe, u, l, a, $8, $8 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[],
            $5::bigint[], $6::bigint[], $7::integer[]) AS t(s, f, ps, pe, u, l, a)
        ON CONFLICT DO NOTHING
        RETURNING c.subject_id, c.feature_key, c.period_start
        """;

    private const string AnchorSql = """
        INSERT INTO quotakit.subjects AS s (subject_id, plan_key, billing_anchor, time_zone, created_at, updated_at)
        SELECT a, NULL, t, NULL, $3, $3 FROM unnest($1::text[], $2::timestamptz[]) AS x(a, t)
        ON CONFLICT (subject_id) DO UPDATE SET billing_anchor = excluded.billing_anchor, updated_at = excluded.updated_at
        WHERE s.billing_anchor IS NULL
        """;

    private readonly QuotaKitDataSource _dataSource;
    private readonly IOptions<QuotaKitOptions> _options;
    private readonly IClock _clock;
    private readonly ILogger<PostgreSqlQuotaKitImporter> _logger;

    public PostgreSqlQuotaKitImporter(
        QuotaKitDataSource dataSource, IOptions<QuotaKitOptions> options, IClock clock, ILogger<PostgreSqlQuotaKitImporter>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _clock = clock;
        _logger = logger ?? NullLogger<PostgreSqlQuotaKitImporter>.Instance;
    }

    public async Task<ImportReport> ImportAsync(ImportSource source, ImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        var config = _options.Value;
        SourceRows.Validate(source, config);
        options ??= new ImportOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        if (options.KnownSubjects is { } known)
        {
            SourceRows.RequireTable(known.Table);
            SourceRows.RequireColumn(known.Column);
        }

        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Execute(connection, "SET TIME ZONE 'UTC'", cancellationToken).ConfigureAwait(false);
        try
        {
            var rows = await ReadRowsAsync(connection, source, options, cancellationToken).ConfigureAwait(false);
            var knownSubjects = options.KnownSubjects is { } table
                ? await ReadKnownSubjectsAsync(connection, table, cancellationToken).ConfigureAwait(false)
                : null;
            var subjectIds = rows.Select(r => r[0] as string).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            var subjects = await ReadSubjectsAsync(connection, subjectIds, cancellationToken).ConfigureAwait(false);

            var plan = new ImportPlan(config);
            var skipped = new List<SkippedRow>();
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var subjectId = row[0] as string;
                var problem = subjectId switch
                {
                    null or "" => "the user id is missing",
                    _ when knownSubjects is not null && !knownSubjects.Contains(subjectId) => $"unknown user '{subjectId}'",
                    _ => plan.Add(source, subjectId, row, subjects.GetValueOrDefault(subjectId)),
                };
                if (problem is not null)
                {
                    skipped.Add(new SkippedRow(i + 1, string.IsNullOrEmpty(subjectId) ? null : subjectId, problem));
                }
            }

            var stored = await ReadStoredAsync(connection, plan.SubjectIds, cancellationToken).ConfigureAwait(false);
            var (toWrite, alreadyImported, conflicts) = plan.Compare(stored);
            long written = 0;
            if (options.Apply)
            {
                foreach (var batch in toWrite.Chunk(options.BatchSize))
                {
                    written += await WriteBatchAsync(connection, batch, plan.Anchors, conflicts, cancellationToken).ConfigureAwait(false);
                    options.Progress?.Report(new ImportProgress(rows.Count, written, toWrite.Count));
                }
            }

            var report = new ImportReport(source.Describe(), options.Apply, rows.Count, toWrite.Count, written, alreadyImported, conflicts, skipped);
            LogImported(report.Source, report.Applied, report.RowsRead, report.CountersToWrite, report.CountersWritten,
                report.AlreadyImported, report.Conflicts.Count, report.Skipped.Count);
            return report;
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            throw new QuotaConfigurationException($"the import source cannot be read: {exception.MessageText}. Check the table and column names.");
        }
        catch (NpgsqlException exception) when (exception is not PostgresException)
        {
            throw new QuotaStoreUnavailableException($"import from {source.Describe()}", outcomeUnknown: true, isTransient: true, exception);
        }
    }

    private static async Task<List<object?[]>> ReadRowsAsync(
        NpgsqlConnection connection, ImportSource source, ImportOptions options, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SourceRows.Select(source), connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
            if (rows.Count % ReadProgressInterval == 0)
            {
                options.Progress?.Report(new ImportProgress(rows.Count, 0, 0));
            }
        }

        options.Progress?.Report(new ImportProgress(rows.Count, 0, 0));
        return rows;
    }

    private static async Task<HashSet<string>> ReadKnownSubjectsAsync(
        NpgsqlConnection connection, (string Table, string Column) known, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {SourceRows.Quote(known.Column)}::text FROM {SourceRows.Table(known.Table)} WHERE {SourceRows.Quote(known.Column)} IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task<Dictionary<string, ImportSubject>> ReadSubjectsAsync(
        NpgsqlConnection connection, string[] subjectIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SubjectsSql, connection);
        command.Parameters.Add(NpgsqlValues.TextArray(subjectIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var subjects = new Dictionary<string, ImportSubject>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            subjects[reader.GetString(0)] = new ImportSubject(
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(reader.GetString(2)),
                reader.IsDBNull(3) ? null : NpgsqlValues.ReadInstant(reader, 3));
        }

        return subjects;
    }

    private static async Task<List<StoredCounter>> ReadStoredAsync(
        NpgsqlConnection connection, string[] subjectIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(StoredSql, connection);
        command.Parameters.Add(NpgsqlValues.TextArray(subjectIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stored = new List<StoredCounter>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stored.Add(new StoredCounter(reader.GetString(0), reader.GetString(1),
                NpgsqlValues.ReadInstant(reader, 2), NpgsqlValues.ReadInstant(reader, 3), reader.GetInt64(4)));
        }

        return stored;
    }

    /// <summary>One transaction: the batch's missing billing anchors, then its counters. Returns the counters inserted.</summary>
    private async Task<int> WriteBatchAsync(
        NpgsqlConnection connection, PlannedCounter[] batch, IReadOnlyDictionary<string, Instant> anchors,
        List<ImportConflict> conflicts, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var batchAnchors = batch.Select(c => c.SubjectId).Distinct(StringComparer.Ordinal).Where(anchors.ContainsKey).ToArray();
        if (batchAnchors.Length > 0)
        {
            await using var anchor = new NpgsqlCommand(AnchorSql, connection, transaction);
            anchor.Parameters.Add(NpgsqlValues.TextArray(batchAnchors));
            anchor.Parameters.Add(new NpgsqlParameter<DateTime[]>
            {
                TypedValue = batchAnchors.Select(s => anchors[s].ToDateTimeUtc()).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            });
            anchor.Parameters.Add(NpgsqlValues.Timestamp(now));
            await anchor.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var inserted = new HashSet<(string, string, Instant)>();
        await using (var insert = new NpgsqlCommand(InsertSql, connection, transaction))
        {
            insert.Parameters.Add(NpgsqlValues.TextArray(batch.Select(c => c.SubjectId).ToArray()));
            insert.Parameters.Add(NpgsqlValues.TextArray(batch.Select(c => c.FeatureKey).ToArray()));
            insert.Parameters.Add(Timestamps(batch.Select(c => c.Period.Start)));
            insert.Parameters.Add(Timestamps(batch.Select(c => c.Period.End)));
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = batch.Select(c => c.Used).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = batch.Select(c => c.Limit).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = batch.Select(c => c.AlertedPercent).ToArray() });
            insert.Parameters.Add(NpgsqlValues.Timestamp(now));
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1), NpgsqlValues.ReadInstant(reader, 2)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        conflicts.AddRange(batch
            .Where(c => !inserted.Contains((c.SubjectId, c.FeatureKey, c.Period.Start)))
            .Select(c => new ImportConflict(c.SubjectId, c.FeatureKey, c.Period.Start, c.Used, null)));
        return inserted.Count;
    }

    private static NpgsqlParameter<DateTime[]> Timestamps(IEnumerable<Instant> instants) =>
        new() { TypedValue = instants.Select(i => i.ToDateTimeUtc()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz };

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import from {Source} (applied: {Applied}): {RowsRead} row(s) read, " +
        "{ToWrite} counter(s) to write, {Written} written, {AlreadyImported} already imported, {Conflicts} conflict(s), {Skipped} row(s) skipped")]
    private partial void LogImported(string source, bool applied, long rowsRead, long toWrite, long written, long alreadyImported, int conflicts, int skipped);
}
