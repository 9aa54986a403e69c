namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// The bugs <see cref="SqlMutationTests"/> plants, one at a time, in <c>quotakit.record_usage_v7</c> (the function the
/// store calls: the subject-version check, the release of expired holds, then version 2's decision, whose text it
/// repeats) and the reservation functions of versions 6 and 7.
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

        // The subject-version check (version 7's, read in the function). Left out as equivalent: dropping the outer
        // "IF p_subject_version IS NOT NULL" (the version is then read for nothing: a NULL comparison is NULL, and
        // IF NULL takes the same branch as IF false).
        new("subject version not checked (a cached or guessed context decides)",
            "IF v_version <> p_subject_version THEN", "IF false THEN"),
        new("changed subject answered without its current context",
            "NULL::boolean, quotakit.subject_context(p_subject_id);", "NULL::boolean, NULL::jsonb;"),
        new("a subject row deleted by hand while overrides remain reads as version 0 (nothing stored)",
            "OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id) THEN -1",
            "OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id) THEN 0"),
        new("a subject without a row but with grants read as version 0 (grants not looked at)",
            "OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id) THEN -1",
            "THEN -1"),

        // Reservations (version 6).
        new("expired holds not given back before a write",
            "PERFORM quotakit.release_expired_holds_v6(p_subject_id, p_feature_key, p_now);", "NULL;"),
        new("a hold counts one instant past its expiry (<= flipped to <) in the write's probe",
            "AND h.state = 'held' AND h.expires_at <= p_now) THEN", "AND h.state = 'held' AND h.expires_at < p_now) THEN"),
        new("expired holds marked expired but their units not given back",
            "UPDATE quotakit.usage_counters c SET used = greatest(c.used - f.amount, 0)",
            "UPDATE quotakit.usage_counters c SET used = c.used", "release_expired_holds.v6.sql"),
        new("a refused reservation stores a hold",
            "IF r.subject_context IS NULL AND NOT r.is_replay AND r.outcome = 0 THEN",
            "IF r.subject_context IS NULL AND NOT r.is_replay THEN", "reserve_usage.v7.sql"),
        new("a replayed reservation stores a second hold",
            "IF r.subject_context IS NULL AND NOT r.is_replay AND r.outcome = 0 THEN",
            "IF r.subject_context IS NULL AND r.outcome = 0 THEN", "reserve_usage.v7.sql"),
        new("a commit adds the actual amount without taking the hold out",
            "v_new_used := greatest(v_used - h.amount, 0) + p_actual;", "v_new_used := v_used + p_actual;", "settle_hold.v6.sql"),
        new("a settled hold is settled again",
            "IF h.state <> 'held' THEN", "IF false THEN", "settle_hold.v6.sql"),
        new("a commit after the expiry commits",
            "IF h.expires_at <= p_now OR NOT p_commit THEN", "IF NOT p_commit THEN", "settle_hold.v6.sql"),
        new("FOR UPDATE removed from the read of the hold being settled",
            "WHERE x.subject_id = p_subject_id AND x.id = p_hold_id AND x.feature_key = p_feature_key FOR UPDATE;",
            "WHERE x.subject_id = p_subject_id AND x.id = p_hold_id AND x.feature_key = p_feature_key;", "settle_hold.v6.sql"),
        new("a commit's alert level not stored",
            "SET used = v_new_used, alerted_percent = v_new_alerted, updated_at = p_now",
            "SET used = v_new_used, updated_at = p_now", "settle_hold.v6.sql"),
    ];
}
