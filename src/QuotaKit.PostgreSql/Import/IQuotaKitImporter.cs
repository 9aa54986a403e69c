namespace QuotaKit.PostgreSql;

/// <summary>
/// Imports usage from hand-written quota tables into QuotaKit's counters. Registered by <c>UsePostgreSql</c>; the
/// <c>quotakit import</c> command runs it. Rules in docs/reporting.md, "Import".
/// </summary>
public interface IQuotaKitImporter
{
    /// <summary>
    /// Reads <paramref name="source"/>, turns each row into counters of QuotaKit's periods (computed for each subject as
    /// the tracker computes them), and reports rows read, counters to write, counters already imported, conflicts and
    /// skipped rows with their reasons. Dry run unless <see cref="ImportOptions.Apply"/>. Idempotent: a counter QuotaKit
    /// already holds is never changed, so a second run writes nothing. A bad row (unknown user or feature, unparsable
    /// period, negative or missing count, a period that spans two of QuotaKit's) is skipped whole, never half-imported.
    /// Counters are written in transactions of <see cref="ImportOptions.BatchSize"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A table or column name is not an identifier, or the column map is empty.</exception>
    /// <exception cref="UnknownFeatureException">The map names a feature that is not declared.</exception>
    /// <exception cref="QuotaConfigurationException">The source table or a column does not exist.</exception>
    Task<ImportReport> ImportAsync(ImportSource source, ImportOptions? options = null, CancellationToken cancellationToken = default);
}
