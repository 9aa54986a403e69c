-- Version 8's reservation: the same as reserve_usage_v7, over record_usage_v8 (a reserve burns credit blocks like any
-- consume), answering its blocks_burned and blocks_remaining too.
CREATE OR REPLACE FUNCTION quotakit.reserve_usage_v8(
    p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
    p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
    p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
    p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean,
    p_call_id uuid, p_subject_version bigint, p_expires_at timestamptz, p_rollover_cap bigint, p_rollover_until timestamptz)
RETURNS TABLE (
    outcome smallint, used bigint, alerted_before integer, alerted_after integer,
    period_start timestamptz, period_end timestamptz,
    is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
    replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, subject_context jsonb,
    blocks_burned bigint, blocks_remaining bigint)
LANGUAGE plpgsql
AS $function$
DECLARE
    r record;
BEGIN
    IF p_operation <> 'consume' THEN
        RAISE EXCEPTION 'quotakit.reserve_usage_v8: a reservation consumes, not %', p_operation USING ERRCODE = '22023';
    END IF;

    SELECT * INTO r FROM quotakit.record_usage_v8(p_subject_id, p_feature_key, p_period_start, p_period_end,
        p_operation, p_amount, p_limit, p_enforce, p_denied_outcome, p_limit_kind, p_limit_soft, p_thresholds, p_now,
        p_occurred_at, p_idempotency_key, p_metadata, p_record_event, p_call_id, p_subject_version, p_rollover_cap,
        p_rollover_until) AS x;

    IF r.subject_context IS NULL AND NOT r.is_replay AND r.outcome = 0 THEN
        INSERT INTO quotakit.usage_holds (subject_id, id, feature_key, period_start, amount, expires_at, created_at)
        VALUES (p_subject_id, p_call_id, p_feature_key, r.period_start, p_amount, p_expires_at, p_now);
    END IF;

    RETURN QUERY SELECT r.outcome, r.used, r.alerted_before, r.alerted_after, r.period_start, r.period_end, r.is_replay,
        r.replay_call_id, r.replay_feature_key, r.replay_operation, r.replay_amount, r.replay_limit_kind,
        r.replay_limit_value, r.replay_limit_soft, r.subject_context, r.blocks_burned, r.blocks_remaining;
END;
$function$;
