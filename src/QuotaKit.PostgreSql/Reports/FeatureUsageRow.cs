namespace QuotaKit.PostgreSql;

/// <summary>
/// One row of the wide usage report (the view <c>quotakit.feature_usage</c>): a subject, its plan, and for every feature
/// declared with <see cref="FeatureDefinition.Column"/> the units used in the feature's current period (column
/// <c>{name}</c>), the limit in force (<c>{name}_limit</c>: <c>null</c> unlimited, 0 disabled) and what remains
/// (<c>{name}_remaining</c>: <c>null</c> unlimited). Keyless and read-only. In LINQ, read a feature column with
/// <c>EF.Property&lt;long&gt;(row, "images_generated")</c> or <c>(long)row["images_generated"]!</c>; the rules are in docs/reporting.md.
/// </summary>
public sealed class FeatureUsageRow
{
    private readonly Dictionary<string, object?> _columns = new(StringComparer.Ordinal);

    /// <summary>The subject's id.</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The subject's stored plan; <c>null</c> when it has none (the default plan applies).</summary>
    public string? PlanKey { get; set; }

    /// <summary>A feature column by name (<c>images_generated</c>, <c>images_generated_limit</c>, ...).</summary>
    /// <exception cref="KeyNotFoundException">No such column was read.</exception>
    public object? this[string column]
    {
        get => _columns.TryGetValue(column, out var value)
            ? value
            : throw new KeyNotFoundException($"The row has no column '{column}'. Declare it with f.Column(\"{column}\").");
        set => _columns[column] = value;
    }

    /// <summary>Units used in the current period of the feature shown as <paramref name="column"/>.</summary>
    public long Used(string column) => (long)this[column]!;

    /// <summary>The limit in force for <paramref name="column"/>: <c>null</c> unlimited, 0 disabled.</summary>
    public long? Limit(string column) => (long?)this[column + "_limit"];

    /// <summary>Units left in the current period for <paramref name="column"/>: <c>null</c> unlimited.</summary>
    public long? Remaining(string column) => (long?)this[column + "_remaining"];
}
