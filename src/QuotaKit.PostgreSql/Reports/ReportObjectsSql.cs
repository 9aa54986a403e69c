using System.Globalization;
using System.Text;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The SQL of the report objects generated from configuration (not frozen: they are dropped and created again whenever
/// QuotaKit's migrations are applied, so a new or renamed column needs no migration):
/// <list type="bullet">
/// <item><c>quotakit.current_usage</c>: one row per stored counter holding <c>now()</c>, with the limit in force.</item>
/// <item><c>quotakit.feature_usage</c>: one row per subject, three columns per declared feature column.</item>
/// <item><c>quotakit.near_limit(feature, percent, page_size, page_offset)</c>: subjects at or above a percentage.</item>
/// </list>
/// "Current period" is the stored counter whose <c>[period_start, period_end)</c> holds <c>now()</c> (at most one per
/// subject and feature: stored periods never overlap); none means 0 used. The limit follows QuotaKitRuntime.GetLimit:
/// the override, else the plan's limit from configuration (a VALUES list), plus grants valid now for a numeric limit.
/// Everything is joins, not function calls per row, so a full scan is hash joins and one subject's row index look-ups.
/// </summary>
internal static class ReportObjectsSql
{
    /// <summary>The names of the generated objects in the quotakit schema.</summary>
    public static readonly IReadOnlyList<string> ObjectNames = [FeatureUsageRowConfiguration.ViewName, "current_usage", "near_limit"];

    /// <summary>Drops every generated object. Safe when none exist.</summary>
    public const string Drop = """
        DROP FUNCTION IF EXISTS quotakit.near_limit(text, numeric, integer, integer);
        DROP VIEW IF EXISTS quotakit.feature_usage;
        DROP VIEW IF EXISTS quotakit.current_usage;
        """;

    private const string Grants = """
        (SELECT g.subject_id, g.feature_key, sum(g.amount) AS amount FROM quotakit.subject_grants g
         WHERE g.valid_from <= now() AND g.valid_until > now() GROUP BY g.subject_id, g.feature_key)
        """;

    public static string Create(ReportColumns columns)
    {
        var options = columns.Options;
        var sql = new StringBuilder();
        sql.Append(Drop).AppendLine();
        AppendCurrentUsageView(sql, options);
        AppendFeatureUsageView(sql, columns);
        sql.AppendLine(NearLimitSql);
        return sql.ToString();
    }

    /// <summary>The plans' limits as configured in C#, one row per plan and feature it names.</summary>
    private static string PlanLimits(QuotaKitOptions options)
    {
        var rows = options.Plans.Values
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Limits.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l =>
                $"({Literal(p.Key)}, {Literal(l.Key)}, {Literal(KindText(l.Value.Kind))}, {Number(l.Value)})"))
            .ToList();
        return rows.Count == 0
            ? "(SELECT NULL::text, NULL::text, NULL::text, NULL::bigint WHERE false)"
            : "(VALUES " + string.Join(", ", rows) + ")";
    }

    /// <summary>
    /// The joins that bring a subject's override (o), plan limit (p) and valid grants (g) for a feature; a feature a plan
    /// does not name, or a plan not in the configuration, finds no p row and is disabled, as in PlanDefinition.GetLimit.
    /// </summary>
    private static string LimitJoins(QuotaKitOptions options, string suffix, string subject, string plan, string feature)
    {
        var defaultPlan = options.DefaultPlan is null ? "NULL::text" : Literal(options.DefaultPlan);
        return $"""

            LEFT JOIN quotakit.subject_limit_overrides o{suffix} ON o{suffix}.subject_id = {subject} AND o{suffix}.feature_key = {feature}
            LEFT JOIN {PlanLimits(options)} AS p{suffix}(plan_key, feature_key, kind, value)
              ON p{suffix}.plan_key = coalesce({plan}, {defaultPlan}) AND p{suffix}.feature_key = {feature}
            LEFT JOIN {Grants} AS g{suffix} ON g{suffix}.subject_id = {subject} AND g{suffix}.feature_key = {feature}
            """;
    }

    /// <summary>The limit in force: <c>NULL</c> unlimited, 0 disabled, else the number plus grants (capped at bigint).</summary>
    private static string LimitExpression(string suffix) => $"""
        CASE
                WHEN o{suffix}.subject_id IS NOT NULL AND o{suffix}.is_disabled THEN 0
                WHEN o{suffix}.subject_id IS NOT NULL AND o{suffix}.limit_value IS NULL THEN NULL
                WHEN o{suffix}.subject_id IS NOT NULL THEN least(o{suffix}.limit_value::numeric + coalesce(g{suffix}.amount, 0), 9223372036854775807)::bigint
                WHEN p{suffix}.kind = 'limited' THEN least(p{suffix}.value::numeric + coalesce(g{suffix}.amount, 0), 9223372036854775807)::bigint
                WHEN p{suffix}.kind = 'unlimited' THEN NULL
                ELSE 0
            END
        """;

    private static void AppendCurrentUsageView(StringBuilder sql, QuotaKitOptions options)
    {
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE VIEW quotakit.current_usage AS
            SELECT c.subject_id::text AS subject_id, c.feature_key::text AS feature_key, s.plan_key::text AS plan_key, c.used,
                   {LimitExpression("")} AS limit_value,
                   c.period_start, c.period_end
            FROM quotakit.usage_counters c
            LEFT JOIN quotakit.subjects s ON s.subject_id = c.subject_id{LimitJoins(options, "", "c.subject_id", "s.plan_key", "c.feature_key")}
            WHERE c.period_start <= now() AND c.period_end > now();

            """);
    }

    /// <summary>
    /// The wide view. Each source is read once for all columns and pivoted by subject (FILTER per feature): current counters,
    /// overrides and valid grants. The subjects are the stored ones (branch 1) and those with a current counter of a shown
    /// feature but no stored row (branch 2, default plan). A filter on subject_id reaches every source through the join
    /// equalities, so one subject's row reads index ranges; a full scan reads each table once or twice with hash joins.
    /// </summary>
    private static void AppendFeatureUsageView(StringBuilder sql, ReportColumns columns)
    {
        var options = columns.Options;
        var count = columns.Columns.Count;
        var usedColumns = Cols(count, i => $", u.u{i}");
        var select = new StringBuilder();
        var limits = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var (featureKey, column) = columns.Columns[i];
            var used = $"coalesce(s.u{i}, 0)";
            select.Append(CultureInfo.InvariantCulture, $"""
                ,
                       {used} AS {Identifier(column)},
                       l.v{i} AS {Identifier(column + "_limit")},
                       CASE WHEN l.v{i} IS NULL THEN NULL ELSE greatest(l.v{i} - {used}, 0) END AS {Identifier(column + "_remaining")}
                """);
            limits.Append(CultureInfo.InvariantCulture, $"""
                {(i == 0 ? "" : ",")}
                    CASE
                        WHEN o.h{i} AND o.d{i} THEN 0
                        WHEN o.h{i} AND o.v{i} IS NULL THEN NULL
                        WHEN o.h{i} THEN {PlusGrants($"o.v{i}", $"g.g{i}")}
                        ELSE {PlanLimitCase(options, featureKey, "s.plan_key", $"g.g{i}")}
                    END AS v{i}
                """);
        }

        var keys = count == 0 ? "NULL" : string.Join(", ", columns.Columns.Select(c => Literal(c.FeatureKey)));
        var pivot = $"""
            (SELECT c.subject_id::text AS subject_id{Cols(count, i => $", max(c.used) FILTER (WHERE c.feature_key = {Literal(columns.Columns[i].FeatureKey)}) AS u{i}")}
                 FROM quotakit.usage_counters c
                 WHERE c.feature_key IN ({keys}) AND c.period_start <= now() AND c.period_end > now()
                 GROUP BY c.subject_id)
            """;
        var limitJoins = count == 0 ? "" : $"""

            LEFT JOIN (SELECT x.subject_id::text AS subject_id{Cols(count, i => OverridePivot(i, columns.Columns[i].FeatureKey))}
                       FROM quotakit.subject_limit_overrides x WHERE x.feature_key IN ({keys}) GROUP BY x.subject_id) AS o
              ON o.subject_id = s.subject_id
            LEFT JOIN (SELECT x.subject_id::text AS subject_id{Cols(count, i => $", sum(x.amount) FILTER (WHERE x.feature_key = {Literal(columns.Columns[i].FeatureKey)}) AS g{i}")}
                       FROM quotakit.subject_grants x
                       WHERE x.feature_key IN ({keys}) AND x.valid_from <= now() AND x.valid_until > now() GROUP BY x.subject_id) AS g
              ON g.subject_id = s.subject_id
            CROSS JOIN LATERAL (SELECT{limits}) AS l
            """;

        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE VIEW quotakit.feature_usage AS
            SELECT s.subject_id, s.plan_key{select}
            FROM (
                SELECT x.subject_id::text AS subject_id, x.plan_key::text AS plan_key{usedColumns}
                FROM quotakit.subjects x
                LEFT JOIN {pivot} AS u ON u.subject_id = x.subject_id
                UNION ALL
                SELECT u.subject_id, NULL::text{usedColumns}
                FROM {pivot} AS u
                WHERE NOT EXISTS (SELECT 1 FROM quotakit.subjects x WHERE x.subject_id = u.subject_id)
            ) AS s{limitJoins};

            """);
    }

    private static string OverridePivot(int i, string featureKey) =>
        $", bool_or(true) FILTER (WHERE x.feature_key = {Literal(featureKey)}) AS h{i}" +
        $", bool_or(x.is_disabled) FILTER (WHERE x.feature_key = {Literal(featureKey)}) AS d{i}" +
        $", max(x.limit_value) FILTER (WHERE x.feature_key = {Literal(featureKey)}) AS v{i}";

    /// <summary>The plan's limit for one feature as a CASE on the subject's plan (else the default plan); a plan that does
    /// not name the feature, or is not configured, gives 0 (disabled).</summary>
    private static string PlanLimitCase(QuotaKitOptions options, string featureKey, string plan, string grants)
    {
        var defaultPlan = options.DefaultPlan is null ? "NULL::text" : Literal(options.DefaultPlan);
        var arms = options.Plans.Values
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Where(p => p.Limits.ContainsKey(featureKey))
            .Select(p => (p.Key, Limit: p.Limits[featureKey]))
            .Select(p => $" WHEN {Literal(p.Key)} THEN " + p.Limit.Kind switch
            {
                LimitKind.Limited => PlusGrants(p.Limit.Value.ToString(CultureInfo.InvariantCulture), grants),
                LimitKind.Unlimited => "NULL",
                _ => "0",
            });
        var when = string.Concat(arms);
        return when.Length == 0 ? "0" : $"CASE coalesce({plan}, {defaultPlan}){when} ELSE 0 END";
    }

    private static string PlusGrants(string limit, string grants) =>
        $"least({limit}::numeric + coalesce({grants}, 0), 9223372036854775807)::bigint";

    private static string Cols(int count, Func<int, string> column) => string.Concat(Enumerable.Range(0, count).Select(column));

    private const string NearLimitSql = """
        CREATE FUNCTION quotakit.near_limit(p_feature_key text, p_percent numeric, p_page_size integer DEFAULT 100,
            p_page_offset integer DEFAULT 0)
        RETURNS TABLE (subject_id text, feature_key text, used bigint, limit_value bigint, percent numeric,
            period_start timestamptz, period_end timestamptz)
        LANGUAGE sql STABLE
        AS $function$
            SELECT u.subject_id, u.feature_key, u.used, u.limit_value, round(u.used::numeric * 100 / u.limit_value, 2),
                   u.period_start, u.period_end
            FROM quotakit.current_usage u
            WHERE u.feature_key = p_feature_key AND u.limit_value > 0 AND u.used::numeric * 100 >= p_percent * u.limit_value
            ORDER BY u.used::numeric / u.limit_value DESC, u.subject_id
            LIMIT p_page_size OFFSET p_page_offset
        $function$;
        """;

    private static string KindText(LimitKind kind) => kind switch
    {
        LimitKind.Unlimited => "unlimited",
        LimitKind.Disabled => "disabled",
        _ => "limited",
    };

    private static string Number(FeatureLimit limit) =>
        limit.Kind == LimitKind.Limited ? limit.Value.ToString(CultureInfo.InvariantCulture) + "::bigint" : "NULL::bigint";

    // Keys are restricted to [A-Za-z0-9_.:-] by validation; quoting still doubles quotes so no key can end the literal.
    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    // Column names are validated identifiers ([a-z_][a-z0-9_]*, not reserved); quoted anyway.
    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
