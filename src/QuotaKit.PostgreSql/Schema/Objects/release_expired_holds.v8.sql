-- Version 8: release_expired_holds_v6 that gives the units of the expired holds back to the credit blocks their period
-- burned first (up to the period's blocks_burned, the last burned first), then to the plan. Locks, in this order: the
-- expired hold rows (by id), their counters (by period start), the blocks those periods burned (in burn order).
CREATE OR REPLACE FUNCTION quotakit.release_expired_holds_v8(p_subject_id text, p_feature_key text, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    v_count integer;
    v_starts timestamptz[];
    v_amounts bigint[];
    v_blocks_burned bigint;
    v_returned bigint;
    k integer;
BEGIN
    PERFORM 1 FROM quotakit.usage_holds h
    WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key AND h.state = 'held' AND h.expires_at <= p_now
    ORDER BY h.id
    FOR UPDATE;

    WITH expired AS (
        UPDATE quotakit.usage_holds h SET state = 'expired', settled_amount = 0, settled_at = p_now
        WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key AND h.state = 'held' AND h.expires_at <= p_now
        RETURNING h.period_start, h.amount),
    freed AS (SELECT e.period_start, sum(e.amount)::bigint AS amount, count(*) AS holds FROM expired e GROUP BY e.period_start)
    SELECT array_agg(f.period_start ORDER BY f.period_start), array_agg(f.amount ORDER BY f.period_start),
        coalesce(sum(f.holds), 0)::integer
    INTO v_starts, v_amounts, v_count
    FROM freed f;

    IF v_count = 0 THEN
        RETURN 0;
    END IF;

    PERFORM 1 FROM quotakit.usage_counters c
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = ANY (v_starts)
    ORDER BY c.period_start
    FOR UPDATE;

    -- Every block these periods burned, in burn order, before any is given back to (a return locks one period's).
    PERFORM 1 FROM quotakit.credit_blocks b
    WHERE b.subject_id = p_subject_id AND b.id IN (SELECT cb.block_id FROM quotakit.credit_burns cb
        WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = ANY (v_starts)
          AND cb.units > 0)
    ORDER BY b.priority, b.valid_until, b.created_at, b.id
    FOR UPDATE;

    FOR k IN 1..cardinality(v_starts) LOOP
        SELECT c.blocks_burned INTO v_blocks_burned FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_starts[k];
        v_returned := 0;
        IF v_blocks_burned > 0 THEN
            v_returned := quotakit.return_credit_blocks_v8(p_subject_id, p_feature_key, v_starts[k],
                least(v_amounts[k], v_blocks_burned));
        END IF;

        -- updated_at is left alone: giving back a hold is not usage, and the schedule-change rule reads it.
        UPDATE quotakit.usage_counters c
        SET used = greatest(c.used - v_amounts[k], 0), blocks_burned = c.blocks_burned - v_returned
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_starts[k];
    END LOOP;
    RETURN v_count;
END;
$function$;

-- The same for the subjects and features of a batch, before record_usage_batch_v8 runs, in its transaction, pair by pair
-- in sorted order: each pair's hold rows, then its counters, then its blocks (batches lock counters sorted by subject
-- and feature, then each counter's blocks).
CREATE OR REPLACE FUNCTION quotakit.release_expired_holds_batch_v8(p_subject_ids text[], p_feature_keys text[], p_now timestamptz)
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
        v_count := v_count + quotakit.release_expired_holds_v8(v_pair.subject_id, v_pair.feature_key, p_now);
    END LOOP;
    RETURN v_count;
END;
$function$;
