using System.Globalization;
using System.Text;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The SQL of the report objects generated from configuration (not frozen: they are dropped and created again whenever
/// QuotaKit's migrations are applied, so a new or renamed column needs no migration):
/// <list type="bullet">
/// <item><c>quotakit.report_limit(subject, plan, feature, at)</c>: the limit in force, as the tracker computes it
/// (override, else the plan's limit from configuration, plus grants valid at <c>at</c>); <c>null</c> unlimited, 0 disabled.</item>
/// <item><c>quotakit.feature_usage</c>: one row per subject, three columns per declared feature column.</item>
/// <item><c>quotakit.near_limit(feature, percent, page_size, page_offset)</c>: subjects at or above a percentage.</item>
/// </list>
/// "Current period" is the stored counter whose <c>[period_start, period_end)</c> holds <c>now()</c>; none means 0 used.
/// </summary>
internal static class ReportObjectsSql
{
    /// <summary>The names of the generated objects in the quotakit schema.</summary>
    public static readonly IReadOnlyList<string> ObjectNames = [FeatureUsageRowConfiguration.ViewName, "report_limit", "near_limit"];

    /// <summary>Drops every generated object (views first: they depend on the function). Safe when none exist.</summary>
    public const string Drop = """
        DROP VIEW IF EXISTS quotakit.feature_usage;
        DROP FUNCTION IF EXISTS quotakit.near_limit(text, numeric, integer, integer);
        DROP FUNCTION IF EXISTS quotakit.report_limit(text, text, text, timestamptz);
        """;

    public static string Create(ReportColumns columns)
    {
        var sql = new StringBuilder();
        sql.Append(Drop).AppendLine();
        AppendLimitFunction(sql, columns.Options);
        AppendFeatureUsageView(sql, columns);
        sql.AppendLine(NearLimitSql);
        return sql.ToString();
    }

    private static void AppendLimitFunction(StringBuilder sql, QuotaKitOptions options)
    {
        // The plans' limits as they are configured in C#, one row per plan and feature it names. A feature a plan does
        // not name is disabled on it, as in PlanDefinition.GetLimit.
        var rows = options.Plans.Values
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Limits.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l =>
                $"({Literal(p.Key)}, {Literal(l.Key)}, {Literal(KindText(l.Value.Kind))}, {Number(l.Value)})"))
            .ToList();
        var plans = rows.Count == 0
            ? "SELECT NULL::text, NULL::text, NULL::text, NULL::bigint WHERE false"
            : "VALUES " + string.Join(",\n                       ", rows);
        var defaultPlan = options.DefaultPlan is null ? "NULL::text" : Literal(options.DefaultPlan);

        sql.Append(CultureInfo.InvariantCulture, $$"""
            CREATE FUNCTION quotakit.report_limit(p_subject_id text, p_plan_key text, p_feature_key text, p_at timestamptz)
            RETURNS bigint
            LANGUAGE sql STABLE
            AS $function$
                SELECT CASE b.kind
                    WHEN 'unlimited' THEN NULL
                    WHEN 'disabled' THEN 0
                    ELSE least(b.value::numeric + coalesce((
                        SELECT sum(g.amount) FROM quotakit.subject_grants g
                        WHERE g.subject_id = p_subject_id AND g.feature_key = p_feature_key
                          AND g.valid_from <= p_at AND g.valid_until > p_at), 0), 9223372036854775807)::bigint
                END
                FROM (
                    SELECT 0 AS rank,
                           CASE WHEN o.is_disabled THEN 'disabled' WHEN o.limit_value IS NULL THEN 'unlimited' ELSE 'limited' END AS kind,
                           o.limit_value AS value
                    FROM quotakit.subject_limit_overrides o
                    WHERE o.subject_id = p_subject_id AND o.feature_key = p_feature_key
                    UNION ALL
                    SELECT 1, coalesce(p.kind, 'disabled'), p.value
                    FROM (SELECT 1) AS one
                    LEFT JOIN ({{plans}}) AS p(plan_key, feature_key, kind, value)
                      ON p.plan_key = coalesce(p_plan_key, {{defaultPlan}}) AND p.feature_key = p_feature_key
                    ORDER BY 1
                    LIMIT 1
                ) AS b
            $function$;

            """);
    }

    private static void AppendFeatureUsageView(StringBuilder sql, ReportColumns columns)
    {
        var select = new StringBuilder();
        var joins = new StringBuilder();
        for (var i = 0; i < columns.Columns.Count; i++)
        {
            var (featureKey, column) = columns.Columns[i];
            var used = $"coalesce(u{i}.used, 0)";
            select.Append(CultureInfo.InvariantCulture, $"""
                ,
                       {used} AS {Identifier(column)},
                       l{i}.value AS {Identifier(column + "_limit")},
                       CASE WHEN l{i}.value IS NULL THEN NULL ELSE greatest(l{i}.value - {used}, 0) END AS {Identifier(column + "_remaining")}
                """);
            joins.Append(CultureInfo.InvariantCulture, $"""

                LEFT JOIN LATERAL (
                    SELECT c.used FROM quotakit.usage_counters c
                    WHERE c.subject_id = s.subject_id AND c.feature_key = {Literal(featureKey)}
                      AND c.period_start <= now() AND c.period_end > now()
                    ORDER BY c.period_start DESC
                    LIMIT 1) AS u{i} ON true
                CROSS JOIN LATERAL (SELECT quotakit.report_limit(s.subject_id, s.plan_key, {Literal(featureKey)}, now()) AS value) AS l{i}
                """);
        }

        var featureKeys = columns.Columns.Count == 0
            ? "NULL"
            : string.Join(", ", columns.Columns.Select(c => Literal(c.FeatureKey)));

        // Subjects: every stored subject, and every subject with a counter of a shown feature but no subjects row (it runs
        // on the default plan). A filter on subject_id reaches both branches, so one subject's row reads one index range.
        sql.Append(CultureInfo.InvariantCulture, $"""
            CREATE VIEW quotakit.feature_usage AS
            SELECT s.subject_id, s.plan_key{select}
            FROM (
                SELECT x.subject_id::text AS subject_id, x.plan_key::text AS plan_key FROM quotakit.subjects x
                UNION ALL
                SELECT DISTINCT c.subject_id::text, NULL::text FROM quotakit.usage_counters c
                WHERE c.feature_key IN ({featureKeys})
                  AND NOT EXISTS (SELECT 1 FROM quotakit.subjects x WHERE x.subject_id = c.subject_id)
            ) AS s{joins};

            """);
    }

    private const string NearLimitSql = """
        CREATE FUNCTION quotakit.near_limit(p_feature_key text, p_percent numeric, p_page_size integer DEFAULT 100,
            p_page_offset integer DEFAULT 0)
        RETURNS TABLE (subject_id text, feature_key text, used bigint, limit_value bigint, percent numeric,
            period_start timestamptz, period_end timestamptz)
        LANGUAGE sql STABLE
        AS $function$
            SELECT c.subject_id::text, c.feature_key::text, c.used, l.value,
                   round(c.used::numeric * 100 / l.value, 2), c.period_start, c.period_end
            FROM quotakit.usage_counters c
            LEFT JOIN quotakit.subjects s ON s.subject_id = c.subject_id
            CROSS JOIN LATERAL (SELECT quotakit.report_limit(c.subject_id, s.plan_key, c.feature_key, now()) AS value) AS l
            WHERE c.feature_key = p_feature_key AND c.period_start <= now() AND c.period_end > now()
              AND l.value > 0 AND c.used::numeric * 100 >= p_percent * l.value
            ORDER BY c.used::numeric / l.value DESC, c.subject_id
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
