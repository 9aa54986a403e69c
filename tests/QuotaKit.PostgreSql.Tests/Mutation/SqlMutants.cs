namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// The bugs <see cref="SqlMutationTests"/> plants, one at a time, in <c>quotakit.record_usage_v2</c> (the decision) and
/// <c>quotakit.record_usage_v3</c> (the subject-version check the store calls, which then calls version 2).
/// </summary>
public static class SqlMutants
{
    public static IReadOnlyList<SqlMutant> All { get; } =
    [
        new("first request of a period: amount > limit flipped to >=",
            "AND p_amount > p_limit THEN", "AND p_amount >= p_limit THEN"),
        new("first request refused over the limit still creates the period's row",
            "IF NOT v_found AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN",
            "IF false THEN"),
        new("limit check: used > limit flipped to >=",
            "IF p_enforce AND v_used > p_limit - p_amount THEN", "IF p_enforce AND v_used >= p_limit - p_amount THEN"),
        new("limit check: used > limit flipped to <",
            "IF p_enforce AND v_used > p_limit - p_amount THEN", "IF p_enforce AND v_used < p_limit - p_amount THEN"),
        new("limit check removed (nothing enforced)",
            "IF p_enforce AND v_used > p_limit - p_amount THEN", "IF false THEN"),
        new("enforce flag ignored (soft limits enforced)",
            "IF p_enforce AND v_used > p_limit - p_amount THEN", "IF v_used > p_limit - p_amount THEN"),
        new("denied call reports the usage it refused",
            "v_outcome := p_denied_outcome; v_new_used := v_used;", "v_outcome := p_denied_outcome;"),
        new("FOR UPDATE removed from the read of an existing counter",
            "ORDER BY c.period_start DESC LIMIT 1 FOR UPDATE;", "ORDER BY c.period_start DESC LIMIT 1;"),
        new("FOR UPDATE removed from the read after creating the counter",
            "AND c.period_end > p_occurred_at FOR UPDATE; IF NOT FOUND THEN RAISE",
            "AND c.period_end > p_occurred_at; IF NOT FOUND THEN RAISE"),
        new("ON CONFLICT DO NOTHING removed from the counter insert",
            "ON CONFLICT DO NOTHING;", ";"),
        new("ON CONFLICT DO NOTHING removed from the idempotency claim",
            "ON CONFLICT (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING", ""),
        new("replay branch skipped (a replay is applied again)",
            "IF v_event_id IS NULL THEN", "IF false THEN"),
        new("claimed event not completed with the outcome",
            "SET outcome = v_outcome, used_after = v_new_used, period_start = v_start, period_end = v_new_end WHERE id = v_event_id;",
            "SET outcome = 0 WHERE false;"),
        new("refund clamp greatest(..., 0) removed",
            "WHEN 'refund' THEN greatest(v_used - p_amount, 0)", "WHEN 'refund' THEN v_used - p_amount"),
        new("set adds instead of replacing",
            "WHEN 'set' THEN p_amount", "WHEN 'set' THEN v_used + p_amount"),
        new("raise can lower the maximum",
            "WHEN 'raise' THEN greatest(v_used, p_amount)", "WHEN 'raise' THEN p_amount"),
        new("limit in force not stored on write",
            "SET used = v_new_used, limit_value = p_limit, alerted_percent", "SET used = v_new_used, alerted_percent"),
        new("alert level not stored",
            "alerted_percent = v_new_alerted,", "alerted_percent = v_alerted,"),
        new("threshold reached only when passed (>= flipped to >)",
            "v_new_used::numeric * 100 >= t::numeric * p_limit", "v_new_used::numeric * 100 > t::numeric * p_limit"),
        new("open period not cut when the new schedule's period starts after all its usage",
            "UPDATE quotakit.usage_counters c SET period_end = p_period_start",
            "UPDATE quotakit.usage_counters c SET period_end = c.period_end"),

        // Version 3's wrapper. Left out as equivalent: dropping "p_subject_version IS NOT NULL AND" (a NULL comparison
        // is NULL, and IF NULL takes the same branch as IF false).
        new("subject version not checked (a cached or guessed context decides)",
            "IF p_subject_version IS NOT NULL AND p_subject_version <> quotakit.subject_context_version(p_subject_id) THEN",
            "IF false THEN", "record_usage.v3.sql"),
        new("changed subject answered without its current context",
            "NULL::boolean, quotakit.subject_context(p_subject_id);", "NULL::boolean, NULL::jsonb;", "record_usage.v3.sql"),
    ];
}
