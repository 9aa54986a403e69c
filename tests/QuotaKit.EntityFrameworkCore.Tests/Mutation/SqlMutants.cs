namespace QuotaKit.EntityFrameworkCore.Tests.Mutation;

/// <summary>The bugs <see cref="SqlMutationTests"/> plants in <c>quotakit.record_usage</c>, one at a time.</summary>
public static class SqlMutants
{
    public static IReadOnlyList<SqlMutant> All { get; } =
    [
        new("first request of a period: amount > limit flipped to >=",
            "AND p_amount > p_limit THEN", "AND p_amount >= p_limit THEN"),
        new("first request refused over the limit still creates the period's row",
            "IF NOT FOUND AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN",
            "IF false THEN"),
        new("limit check: used > limit flipped to >=",
            "IF p_enforce AND v_new_used > p_limit THEN", "IF p_enforce AND v_new_used >= p_limit THEN"),
        new("limit check: used > limit flipped to <",
            "IF p_enforce AND v_new_used > p_limit THEN", "IF p_enforce AND v_new_used < p_limit THEN"),
        new("limit check removed (nothing enforced)",
            "IF p_enforce AND v_new_used > p_limit THEN", "IF false THEN"),
        new("enforce flag ignored (soft limits enforced)",
            "IF p_enforce AND v_new_used > p_limit THEN", "IF v_new_used > p_limit THEN"),
        new("denied call reports the usage it refused",
            "v_outcome := p_denied_outcome; v_new_used := v_used;", "v_outcome := p_denied_outcome;"),
        new("FOR UPDATE removed from the read of an existing counter",
            "AND c.period_start = p_period_start FOR UPDATE; IF NOT FOUND AND p_enforce",
            "AND c.period_start = p_period_start; IF NOT FOUND AND p_enforce"),
        new("FOR UPDATE removed from the read after creating the counter",
            "AND c.period_start = p_period_start FOR UPDATE; IF NOT FOUND THEN RAISE",
            "AND c.period_start = p_period_start; IF NOT FOUND THEN RAISE"),
        new("ON CONFLICT DO NOTHING removed from the counter insert",
            "ON CONFLICT DO NOTHING;", ";"),
        new("ON CONFLICT DO NOTHING removed from the idempotency claim",
            "ON CONFLICT (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING", ""),
        new("replay branch skipped (a replay is applied again)",
            "IF v_event_id IS NULL THEN", "IF false THEN"),
        new("claimed event not completed with the outcome",
            "UPDATE quotakit.usage_events SET outcome = v_outcome, used_after = v_new_used WHERE id = v_event_id;", "NULL;"),
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
        new("previous period not closed when a new one starts inside it",
            """
            UPDATE quotakit.usage_counters c SET period_end = p_period_start, updated_at = p_now
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
              AND c.period_start < p_period_start AND c.period_end > p_period_start;
            """,
            ""),
    ];
}
