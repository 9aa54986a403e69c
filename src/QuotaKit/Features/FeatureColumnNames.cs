using System.Text;

namespace QuotaKit;

/// <summary>
/// The rules for report column names (<see cref="FeatureDefinition.Column"/>): SQL reports show a feature's usage in a
/// column of that name, with <c>{name}_limit</c> and <c>{name}_remaining</c> beside it, so a name must be a plain,
/// unquoted SQL identifier that stays unique with those suffixes.
/// </summary>
public static class FeatureColumnNames
{
    /// <summary>The longest column name accepted: PostgreSQL's 63-byte identifiers less the longest suffix.</summary>
    public const int MaxLength = 63 - 10; // "_remaining"

    /// <summary>The suffixes added to a column name for the limit and the remaining units.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = ["_limit", "_remaining"];

    /// <summary>Columns every report row has before the feature columns.</summary>
    public static IReadOnlyList<string> FixedColumns { get; } = ["subject_id", "plan_key"];

    // PostgreSQL's reserved key words, including those allowed only as function or type names (appendix C of the manual):
    // unquoted, they cannot name a column in a console query.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both",
        "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
        "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
        "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
        "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp",
        "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
        "primary", "references", "returning", "right", "select", "session_user", "similar", "some", "symmetric",
        "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
        "variadic", "verbose", "when", "where", "window", "with",
    };

    /// <summary>
    /// The default column name for a feature key: lower-case snake_case (<c>voice-seconds</c> → <c>voice_seconds</c>,
    /// <c>imagesGenerated</c> → <c>images_generated</c>), prefixed with <c>f_</c> when it would start with a digit, suffixed
    /// with <c>_usage</c> when it is a reserved word, and cut to <see cref="MaxLength"/>.
    /// </summary>
    public static string Derive(string featureKey)
    {
        ArgumentNullException.ThrowIfNull(featureKey);
        var name = new StringBuilder(featureKey.Length + 4);
        for (var i = 0; i < featureKey.Length; i++)
        {
            var c = featureKey[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(featureKey[i - 1]))
            {
                name.Append('_');
            }

            var mapped = char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_';
            if (mapped != '_' || (name.Length > 0 && name[^1] != '_'))
            {
                name.Append(mapped);
            }
        }

        var result = name.ToString().Trim('_');
        if (result.Length == 0 || char.IsAsciiDigit(result[0]))
        {
            result = "f_" + result;
        }

        if (Reserved.Contains(result))
        {
            result += "_usage";
        }

        return result.Length > MaxLength ? result[..MaxLength].TrimEnd('_') : result;
    }

    /// <summary>Whether <paramref name="name"/> is one of PostgreSQL's reserved key words.</summary>
    public static bool IsReserved(string name) => Reserved.Contains(name);

    /// <summary>
    /// Every problem with the columns declared on <paramref name="features"/>: a name that is not a lower-case identifier
    /// (<c>[a-z_][a-z0-9_]*</c>, at most <see cref="MaxLength"/> characters), a reserved word, or a collision (two features,
    /// a suffixed name such as <c>images_limit</c>, or a fixed column such as <c>subject_id</c>). Empty when all are valid.
    /// </summary>
    public static IReadOnlyList<FeatureColumnProblem> FindProblems(IEnumerable<FeatureDefinition> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var problems = new List<FeatureColumnProblem>();
        var taken = FixedColumns.ToDictionary(c => c, _ => "(fixed column)", StringComparer.Ordinal);
        foreach (var feature in features.Where(f => f.ColumnName is not null).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var name = feature.ColumnName!;
            if (!IsIdentifier(name))
            {
                problems.Add(new(feature.Key, name, FeatureColumnProblemKind.InvalidIdentifier,
                    $"Feature '{feature.Key}': column name '{name}' is not a plain SQL identifier; use 1 to {MaxLength} lower-case " +
                    "letters, digits and '_', starting with a letter or '_' (e.g. images_generated)."));
                continue;
            }

            if (Reserved.Contains(name))
            {
                problems.Add(new(feature.Key, name, FeatureColumnProblemKind.ReservedWord,
                    $"Feature '{feature.Key}': column name '{name}' is a reserved SQL word; choose another, e.g. '{name}_usage'."));
                continue;
            }

            foreach (var column in new[] { name }.Concat(Suffixes.Select(s => name + s)))
            {
                if (taken.TryGetValue(column, out var owner))
                {
                    problems.Add(new(feature.Key, name, FeatureColumnProblemKind.Collision,
                        $"Feature '{feature.Key}': column '{column}' collides with {Describe(owner)}; give one of them another " +
                        "name with f.Column(\"...\")."));
                    break;
                }
            }

            foreach (var column in new[] { name }.Concat(Suffixes.Select(s => name + s)))
            {
                taken.TryAdd(column, feature.Key);
            }
        }

        return problems;
    }

    private static string Describe(string owner) =>
        owner == "(fixed column)" ? "a column every report row has" : $"a column of feature '{owner}'";

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= MaxLength
        && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
