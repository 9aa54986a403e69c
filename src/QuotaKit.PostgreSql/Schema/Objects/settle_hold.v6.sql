-- Settles one hold: p_commit = true turns it into usage of p_actual units (which may be more or fewer than held; the
-- counter may pass a hard limit by what was used beyond the hold: the work is done), false gives it back. A hold past
-- its expiry is given back as expired and not committed. A settled hold answers its settlement again (changed =
-- false), so a settle can be retried. No row: the hold does not exist (or not for this subject and feature).
CREATE OR REPLACE FUNCTION quotakit.settle_hold_v6(
    p_subject_id text, p_feature_key text, p_hold_id uuid, p_commit boolean, p_actual bigint, p_limit bigint,
    p_thresholds integer[], p_now timestamptz)
RETURNS TABLE (
    state text, changed boolean, held bigint, settled_amount bigint, used bigint, alerted_before integer,
    alerted_after integer, period_start timestamptz, period_end timestamptz, expires_at timestamptz)
LANGUAGE plpgsql
AS $function$
DECLARE
    h quotakit.usage_holds%ROWTYPE;
    v_used bigint;
    v_end timestamptz;
    v_alerted integer;
    v_new_used bigint;
    v_new_alerted integer;
    v_state text;
BEGIN
    SELECT * INTO h FROM quotakit.usage_holds x
    WHERE x.subject_id = p_subject_id AND x.id = p_hold_id AND x.feature_key = p_feature_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    SELECT c.used, c.period_end, c.alerted_percent INTO v_used, v_end, v_alerted
    FROM quotakit.usage_counters c
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start
    FOR UPDATE;

    IF h.state <> 'held' THEN
        RETURN QUERY SELECT h.state, false, h.amount, h.settled_amount, v_used, v_alerted, v_alerted, h.period_start,
            v_end, h.expires_at;
        RETURN;
    END IF;

    v_new_alerted := v_alerted;
    IF h.expires_at <= p_now OR NOT p_commit THEN
        v_state := CASE WHEN h.expires_at <= p_now THEN 'expired' ELSE 'released' END;
        v_new_used := greatest(v_used - h.amount, 0);
        UPDATE quotakit.usage_counters c SET used = v_new_used
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start;
        UPDATE quotakit.usage_holds x SET state = v_state, settled_amount = 0, settled_at = p_now
        WHERE x.subject_id = p_subject_id AND x.id = p_hold_id;
        RETURN QUERY SELECT v_state, true, h.amount, 0::bigint, v_new_used, v_alerted, v_alerted, h.period_start,
            v_end, h.expires_at;
        RETURN;
    END IF;

    -- Commit: the hold's units become the actual amount. Refunds since the reservation may have taken the counter
    -- below the hold; it never goes below zero. Past the largest bigint it fails (22003) and nothing changes.
    v_new_used := greatest(v_used - h.amount, 0) + p_actual;
    IF p_limit > 0 THEN
        SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
        FROM unnest(p_thresholds) AS t
        WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
    END IF;

    UPDATE quotakit.usage_counters c SET used = v_new_used, alerted_percent = v_new_alerted, updated_at = p_now
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start;
    UPDATE quotakit.usage_holds x SET state = 'committed', settled_amount = p_actual, settled_at = p_now
    WHERE x.subject_id = p_subject_id AND x.id = p_hold_id;
    RETURN QUERY SELECT 'committed'::text, true, h.amount, p_actual, v_new_used, v_alerted, v_new_alerted,
        h.period_start, v_end, h.expires_at;
END;
$function$;
