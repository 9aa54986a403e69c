-- record_usage_v3's decision (the subject-version check, then record_usage_v2), after giving back the counter's
-- expired holds. The probe is one index look-up that finds nothing unless a hold of this subject and feature expired
-- unsettled. It calls record_usage_v2 itself rather than through record_usage_v3, to keep one PL/pgSQL level.
CREATE OR REPLACE FUNCTION quotakit.record_usage_v6(
    p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
    p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
    p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
    p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean,
    p_call_id uuid, p_subject_version bigint)
RETURNS TABLE (
    outcome smallint, used bigint, alerted_before integer, alerted_after integer,
    period_start timestamptz, period_end timestamptz,
    is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
    replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, subject_context jsonb)
LANGUAGE plpgsql
AS $function$
BEGIN
    -- As record_usage_v3: a write worked out from another version of the subject's context writes nothing (not even
    -- a released hold) and answers the current context.
    IF p_subject_version IS NOT NULL AND p_subject_version <> quotakit.subject_context_version(p_subject_id) THEN
        RETURN QUERY SELECT NULL::smallint, NULL::bigint, NULL::integer, NULL::integer, NULL::timestamptz,
            NULL::timestamptz, false, NULL::uuid, NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint,
            NULL::boolean, quotakit.subject_context(p_subject_id);
        RETURN;
    END IF;

    IF EXISTS (SELECT 1 FROM quotakit.usage_holds h WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key
               AND h.state = 'held' AND h.expires_at <= p_now) THEN
        PERFORM quotakit.release_expired_holds_v6(p_subject_id, p_feature_key, p_now);
    END IF;

    RETURN QUERY SELECT r.outcome, r.used, r.alerted_before, r.alerted_after, r.period_start, r.period_end, r.is_replay,
        r.replay_call_id, r.replay_feature_key, r.replay_operation, r.replay_amount, r.replay_limit_kind,
        r.replay_limit_value, r.replay_limit_soft, NULL::jsonb
    FROM quotakit.record_usage_v2(p_subject_id, p_feature_key, p_period_start, p_period_end, p_operation, p_amount,
        p_limit, p_enforce, p_denied_outcome, p_limit_kind, p_limit_soft, p_thresholds, p_now, p_occurred_at,
        p_idempotency_key, p_metadata, p_record_event, p_call_id) AS r;
END;
$function$;
