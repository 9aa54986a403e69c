using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>How an import runs.</summary>
public sealed class ImportOptions
{
    /// <summary>Write the counters. Default <c>false</c>: a dry run that only reports what would be written.</summary>
    public bool Apply { get; init; }

    /// <summary>Counters per transaction. Default 1000.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>
    /// A table of known users, e.g. <c>("public.users", "id")</c>: rows of other users are skipped as unknown. Without it
    /// every non-empty id is accepted.
    /// </summary>
    public (string Table, string Column)? KnownSubjects { get; init; }

    /// <summary>Receives progress after each batch of source rows read and each batch of counters written.</summary>
    public IProgress<ImportProgress>? Progress { get; init; }
}

/// <summary>Progress of an import.</summary>
/// <param name="RowsRead">Source rows read so far.</param>
/// <param name="CountersWritten">Counters written so far.</param>
/// <param name="CountersToWrite">Counters the import will write in total (0 while reading).</param>
public sealed record ImportProgress(long RowsRead, long CountersWritten, long CountersToWrite);

/// <summary>A source row that was not imported, and why. Nothing of it was written.</summary>
/// <param name="Row">Its position in the source (1-based, in the order read).</param>
/// <param name="SubjectId">Its user id, when it had one.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedRow(long Row, string? SubjectId, string Reason);

/// <summary>A counter the import would write that QuotaKit already holds differently; never overwritten.</summary>
/// <param name="SubjectId">The subject.</param>
/// <param name="FeatureKey">The feature.</param>
/// <param name="PeriodStart">The period's start.</param>
/// <param name="Imported">The value from the source.</param>
/// <param name="Stored">The value QuotaKit holds; <c>null</c> when another stored period overlaps this one.</param>
public sealed record ImportConflict(string SubjectId, string FeatureKey, Instant PeriodStart, long Imported, long? Stored);

/// <summary>What an import found and did.</summary>
/// <param name="Source">The source, described.</param>
/// <param name="Applied">Whether counters were written (<c>false</c>: a dry run).</param>
/// <param name="RowsRead">Source rows read.</param>
/// <param name="CountersToWrite">Counters that are new to QuotaKit (written when applied).</param>
/// <param name="CountersWritten">Counters written (0 in a dry run).</param>
/// <param name="AlreadyImported">Counters QuotaKit already holds with the same value (a second run finds only these).</param>
/// <param name="Conflicts">Counters QuotaKit holds with another value, or overlapping periods.</param>
/// <param name="Skipped">Rows skipped, each with its reason.</param>
public sealed record ImportReport(
    string Source, bool Applied, long RowsRead, long CountersToWrite, long CountersWritten, long AlreadyImported,
    IReadOnlyList<ImportConflict> Conflicts, IReadOnlyList<SkippedRow> Skipped);
