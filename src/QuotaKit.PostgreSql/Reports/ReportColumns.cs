namespace QuotaKit.PostgreSql;

/// <summary>
/// The configuration the report objects are generated from, in a stable order: each declared column, and the plans'
/// limits. Its <see cref="Fingerprint"/> keys EF's model cache, so contexts with other columns get another model.
/// </summary>
internal sealed class ReportColumns
{
    private ReportColumns(QuotaKitOptions options)
    {
        Options = options;
        Columns = options.Features.Values
            .Where(f => f.ColumnName is not null)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (f.Key, f.ColumnName!))
            .ToArray();
        Fingerprint = string.Join(";", Columns.Select(c => $"{c.FeatureKey}={c.Column}"));
    }

    public QuotaKitOptions Options { get; }

    public IReadOnlyList<(string FeatureKey, string Column)> Columns { get; }

    public string Fingerprint { get; }

    /// <exception cref="FeatureColumnException">A column name is invalid.</exception>
    public static ReportColumns From(QuotaKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = FeatureColumnNames.FindProblems(options.Features.Values);
        if (problems.Count > 0)
        {
            throw new FeatureColumnException(problems);
        }

        return new ReportColumns(options);
    }
}
