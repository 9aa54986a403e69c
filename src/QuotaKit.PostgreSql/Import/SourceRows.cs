using System.Text.RegularExpressions;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The SELECT that reads a source: its columns quoted and cast to text or <c>timestamptz</c> (read on a UTC session, so a
/// <c>date</c> or <c>timestamp</c> is midnight or wall time in UTC), and the validation of names and the column map.
/// </summary>
internal static partial class SourceRows
{
    public static void Validate(ImportSource source, QuotaKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireTable(source.Table);
        RequireColumn(source.SubjectColumn);
        IEnumerable<string> features;
        switch (source)
        {
            case WideTableSource wide:
                RequireColumn(wide.PeriodColumn);
                if (wide.ZoneColumn is not null)
                {
                    RequireColumn(wide.ZoneColumn);
                }

                RequireMap(wide.Columns);
                foreach (var column in wide.Columns.Keys)
                {
                    RequireColumn(column);
                }

                features = wide.Columns.Values;
                break;
            case CounterTableSource counters:
                RequireColumn(counters.FeatureColumn);
                RequireColumn(counters.StartColumn);
                RequireColumn(counters.EndColumn);
                RequireColumn(counters.CountColumn);
                RequireMap(counters.Features);
                features = counters.Features.Values;
                break;
            case EventLogSource log:
                RequireColumn(log.TimeColumn);
                if (log.AmountColumn is not null)
                {
                    RequireColumn(log.AmountColumn);
                }

                features = [log.FeatureKey];
                break;
            case PlansTableSource plans:
                RequireColumn(plans.ResetColumn);
                RequireMap(plans.Columns);
                foreach (var column in plans.Columns.Keys)
                {
                    RequireColumn(column);
                }

                features = plans.Columns.Values;
                break;
            default:
                throw new ArgumentException($"Unknown import source {source.GetType().Name}.", nameof(source));
        }

        foreach (var key in features)
        {
            if (!options.Features.TryGetValue(key, out var feature))
            {
                throw new UnknownFeatureException(key);
            }

            if (feature.Aggregation != FeatureAggregation.Sum)
            {
                throw new ArgumentException(
                    $"Feature '{key}' is a gauge ({feature.Aggregation}); import writes counters of sum features only.", nameof(source));
            }
        }
    }

    /// <summary>The SELECT; column 0 is always the subject as text.</summary>
    public static string Select(ImportSource source) => source switch
    {
        WideTableSource wide => $"SELECT {Text(wide.SubjectColumn)}, {Text(wide.PeriodColumn)}, " +
            $"{(wide.ZoneColumn is null ? "NULL::text" : Text(wide.ZoneColumn))}" +
            string.Concat(wide.Columns.Keys.Select(c => ", " + Text(c))) + $" FROM {Table(wide.Table)}",
        CounterTableSource c => $"SELECT {Text(c.SubjectColumn)}, {Text(c.FeatureColumn)}, {Time(c.StartColumn)}, {Time(c.EndColumn)}, " +
            $"{Text(c.CountColumn)} FROM {Table(c.Table)}",
        EventLogSource log => $"SELECT {Text(log.SubjectColumn)}, {Time(log.TimeColumn)}, " +
            $"{(log.AmountColumn is null ? "'1'" : Text(log.AmountColumn))} FROM {Table(log.Table)}",
        PlansTableSource plans => $"SELECT {Text(plans.SubjectColumn)}, {Time(plans.ResetColumn)}" +
            string.Concat(plans.Columns.Keys.Select(c => ", " + Text(c))) + $" FROM {Table(plans.Table)}",
        _ => throw new ArgumentException("Unknown import source.", nameof(source)),
    };

    public static string Table(string table) => string.Join(".", table.Split('.').Select(Quote));

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static void RequireTable(string table)
    {
        if (table is null || !TablePattern().IsMatch(table))
        {
            throw new ArgumentException(
                $"'{table}' is not a table name; use an identifier, optionally schema-qualified (e.g. public.feature_usage).", nameof(table));
        }
    }

    public static void RequireColumn(string column)
    {
        if (column is null || !ColumnPattern().IsMatch(column))
        {
            throw new ArgumentException($"'{column}' is not a column name; use letters, digits and '_', starting with a letter or '_'.", nameof(column));
        }
    }

    private static string Text(string column) => Quote(column) + "::text";

    private static string Time(string column) => Quote(column) + "::timestamptz";

    private static void RequireMap<TValue>(IReadOnlyDictionary<string, TValue> map)
    {
        if (map is null || map.Count == 0)
        {
            throw new ArgumentException("The column map is empty: say which source column or name is which feature.", nameof(map));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")]
    private static partial Regex TablePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex ColumnPattern();
}
