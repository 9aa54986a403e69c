-- Gives back the units of the holds of one subject and feature that expired at p_now; returns how many holds.
CREATE OR REPLACE FUNCTION quotakit.release_expired_holds_v6(p_subject_id text, p_feature_key text, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    v_count integer;
BEGIN
    PERFORM 1 FROM quotakit.usage_holds h
    WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key AND h.state = 'held' AND h.expires_at <= p_now
    ORDER BY h.id
    FOR UPDATE;

    WITH expired AS (
        UPDATE quotakit.usage_holds h SET state = 'expired', settled_amount = 0, settled_at = p_now
        WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key AND h.state = 'held' AND h.expires_at <= p_now
        RETURNING h.period_start, h.amount),
    freed AS (SELECT e.period_start, sum(e.amount) AS amount, count(*) AS holds FROM expired e GROUP BY e.period_start),
    counters AS (
        -- updated_at is left alone: giving back a hold is not usage, and the schedule-change rule reads it.
        UPDATE quotakit.usage_counters c SET used = greatest(c.used - f.amount, 0)
        FROM freed f
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = f.period_start)
    SELECT coalesce(sum(f.holds), 0)::integer INTO v_count FROM freed f;
    RETURN v_count;
END;
$function$;

-- The same for the subjects and features of a batch, before record_usage_batch runs. It runs in its own transaction
-- (a statement of its own in the batch's round trip), pair by pair in sorted order: each pair's hold rows, then its
-- counter, which keeps every writer's locks in one order (batches lock counters sorted by subject and feature).
CREATE OR REPLACE FUNCTION quotakit.release_expired_holds_batch_v6(p_subject_ids text[], p_feature_keys text[], p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    v_pair record;
    v_count integer := 0;
BEGIN
    FOR v_pair IN
        SELECT DISTINCT k.subject_id, k.feature_key
        FROM unnest(p_subject_ids, p_feature_keys) AS k(subject_id, feature_key)
        WHERE EXISTS (SELECT 1 FROM quotakit.usage_holds h WHERE h.subject_id = k.subject_id
                      AND h.feature_key = k.feature_key AND h.state = 'held' AND h.expires_at <= p_now)
        ORDER BY k.subject_id, k.feature_key
    LOOP
        v_count := v_count + quotakit.release_expired_holds_v6(v_pair.subject_id, v_pair.feature_key, p_now);
    END LOOP;
    RETURN v_count;
END;
$function$;
