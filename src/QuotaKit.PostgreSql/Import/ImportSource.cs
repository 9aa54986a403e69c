namespace QuotaKit.PostgreSql;

/// <summary>
/// A hand-written quota table to import from, in the database QuotaKit uses. Table and column names are SQL identifiers
/// (optionally schema-qualified: <c>public.feature_usage</c>); they are quoted, never spliced into SQL as text.
/// </summary>
public abstract record ImportSource
{
    private protected ImportSource(string table, string subjectColumn)
    {
        Table = table;
        SubjectColumn = subjectColumn;
    }

    /// <summary>The source table, e.g. <c>public.feature_usage</c>.</summary>
    public string Table { get; }

    /// <summary>The column holding the user (subject) id.</summary>
    public string SubjectColumn { get; }

    /// <summary>What the source is, for reports.</summary>
    public abstract string Describe();
}

/// <summary>
/// A wide table with one row per user and period and one column per feature, the period as text: <c>'YYYY-MM'</c>
/// (a calendar month) or <c>'YYYY-MM-DD'</c> (a day), read in <see cref="ZoneColumn"/>'s zone when given, else the
/// subject's zone in QuotaKit, else the feature's, else UTC.
/// </summary>
/// <param name="Table">The table.</param>
/// <param name="SubjectColumn">The user id column.</param>
/// <param name="PeriodColumn">The text period column.</param>
/// <param name="Columns">Source column → feature key, e.g. <c>images_generated → images</c>.</param>
/// <param name="ZoneColumn">An optional column holding each row's IANA time zone.</param>
public sealed record WideTableSource(
    string Table, string SubjectColumn, string PeriodColumn, IReadOnlyDictionary<string, string> Columns, string? ZoneColumn = null)
    : ImportSource(Table, SubjectColumn)
{
    /// <inheritdoc />
    public override string Describe() => $"wide table {Table} (period column {PeriodColumn}, {Columns.Count} feature column(s))";
}

/// <summary>A counters table with one row per user, feature and <c>[start, end)</c> period.</summary>
/// <param name="Table">The table.</param>
/// <param name="SubjectColumn">The user id column.</param>
/// <param name="FeatureColumn">The column naming the feature.</param>
/// <param name="StartColumn">The period start (<c>timestamptz</c>, or <c>timestamp</c>/<c>date</c> read as UTC).</param>
/// <param name="EndColumn">The period end (exclusive).</param>
/// <param name="CountColumn">The usage count.</param>
/// <param name="Features">Source feature name → feature key; names not listed are skipped with a reason.</param>
public sealed record CounterTableSource(
    string Table, string SubjectColumn, string FeatureColumn, string StartColumn, string EndColumn, string CountColumn,
    IReadOnlyDictionary<string, string> Features)
    : ImportSource(Table, SubjectColumn)
{
    /// <inheritdoc />
    public override string Describe() => $"counters table {Table} ({Features.Count} feature(s))";
}

/// <summary>A per-event log table: one row per use of one feature (e.g. an image generation log).</summary>
/// <param name="Table">The table.</param>
/// <param name="SubjectColumn">The user id column.</param>
/// <param name="TimeColumn">When the use happened.</param>
/// <param name="FeatureKey">The feature every row counts for.</param>
/// <param name="AmountColumn">An optional amount column (e.g. seconds); each row counts 1 without it.</param>
public sealed record EventLogSource(string Table, string SubjectColumn, string TimeColumn, string FeatureKey, string? AmountColumn = null)
    : ImportSource(Table, SubjectColumn)
{
    /// <inheritdoc />
    public override string Describe() => $"event log {Table} → {FeatureKey}";
}

/// <summary>
/// A plans table with one row per user holding its current counters and the date they reset next (monthly): each
/// counter covers <c>[reset − 1 month, reset)</c>. With <see cref="AnchorBillingCycles"/>, a subject without a billing
/// anchor gets the reset instant as its anchor, so QuotaKit's billing cycles line up with the source's.
/// </summary>
/// <param name="Table">The table.</param>
/// <param name="SubjectColumn">The user id column.</param>
/// <param name="ResetColumn">The next reset (<c>date</c> read as midnight UTC, or <c>timestamptz</c>).</param>
/// <param name="Columns">Counter column → feature key.</param>
/// <param name="AnchorBillingCycles">Set missing billing anchors to the reset instant (in the same transaction).</param>
public sealed record PlansTableSource(
    string Table, string SubjectColumn, string ResetColumn, IReadOnlyDictionary<string, string> Columns, bool AnchorBillingCycles = true)
    : ImportSource(Table, SubjectColumn)
{
    /// <inheritdoc />
    public override string Describe() => $"plans table {Table} (reset column {ResetColumn}, {Columns.Count} counter(s))";
}
