-- Version 8: settle_hold_v6 with credit blocks. Units given back (a release, an expiry, a commit of fewer units than
-- held) go to the blocks the hold's period burned first, up to its blocks_burned, the last burned first. A commit of
-- more units than held burns the excess the plan's allowance (p_limit, when p_limit_kind is 0, a number) cannot cover
-- from the blocks usable at p_now, as far as they reach; the rest goes over the limit. The answer ends with the
-- period's blocks_burned after the call. Locks: the hold row, the counter, the blocks in burn order.
CREATE OR REPLACE FUNCTION quotakit.settle_hold_v8(
    p_subject_id text, p_feature_key text, p_hold_id uuid, p_commit boolean, p_actual bigint, p_limit bigint,
    p_thresholds integer[], p_now timestamptz, p_limit_kind smallint)
RETURNS TABLE (
    state text, changed boolean, held bigint, settled_amount bigint, used bigint, alerted_before integer,
    alerted_after integer, period_start timestamptz, period_end timestamptz, expires_at timestamptz, blocks_burned bigint)
LANGUAGE plpgsql
AS $function$
DECLARE
    h quotakit.usage_holds%ROWTYPE;
    v_used bigint;
    v_end timestamptz;
    v_alerted integer;
    v_blocks_burned bigint;
    v_new_blocks_burned bigint;
    v_new_used bigint;
    v_new_alerted integer;
    v_state text;
    v_plan_used bigint;
    v_extra bigint;
    v_need bigint;
BEGIN
    SELECT * INTO h FROM quotakit.usage_holds x
    WHERE x.subject_id = p_subject_id AND x.id = p_hold_id AND x.feature_key = p_feature_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    SELECT c.used, c.period_end, c.alerted_percent, c.blocks_burned INTO v_used, v_end, v_alerted, v_blocks_burned
    FROM quotakit.usage_counters c
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start
    FOR UPDATE;
    v_blocks_burned := coalesce(v_blocks_burned, 0);

    IF h.state <> 'held' THEN
        RETURN QUERY SELECT h.state, false, h.amount, h.settled_amount, v_used, v_alerted, v_alerted, h.period_start,
            v_end, h.expires_at, v_blocks_burned;
        RETURN;
    END IF;

    v_new_alerted := v_alerted;
    IF h.expires_at <= p_now OR NOT p_commit THEN
        v_state := CASE WHEN h.expires_at <= p_now THEN 'expired' ELSE 'released' END;
        v_new_used := greatest(v_used - h.amount, 0);
        v_new_blocks_burned := v_blocks_burned;
        IF v_blocks_burned > 0 THEN
            v_new_blocks_burned := v_blocks_burned - quotakit.return_credit_blocks_v8(p_subject_id, p_feature_key,
                h.period_start, least(h.amount, v_blocks_burned));
        END IF;
        UPDATE quotakit.usage_counters c SET used = v_new_used, blocks_burned = v_new_blocks_burned
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start;
        UPDATE quotakit.usage_holds x SET state = v_state, settled_amount = 0, settled_at = p_now
        WHERE x.subject_id = p_subject_id AND x.id = p_hold_id;
        RETURN QUERY SELECT v_state, true, h.amount, 0::bigint, v_new_used, v_alerted, v_alerted, h.period_start,
            v_end, h.expires_at, v_new_blocks_burned;
        RETURN;
    END IF;

    -- Commit: the hold's units become the actual amount. Refunds since the reservation may have taken the counter
    -- below the hold; it never goes below zero. Past the largest bigint it fails (22003) and nothing changes.
    v_new_used := greatest(v_used - h.amount, 0) + p_actual;
    v_new_blocks_burned := v_blocks_burned;
    IF p_actual < h.amount AND v_blocks_burned > 0 THEN
        v_new_blocks_burned := v_blocks_burned - quotakit.return_credit_blocks_v8(p_subject_id, p_feature_key,
            h.period_start, least(h.amount - p_actual, v_blocks_burned));
    ELSIF p_actual > h.amount AND p_limit_kind = 0 THEN
        -- The plan's share before the commit (the hold's units included).
        v_plan_used := greatest(v_used - v_blocks_burned, 0);
        v_extra := p_actual - h.amount;
        v_need := CASE WHEN v_plan_used >= p_limit THEN v_extra ELSE greatest(v_extra - (p_limit - v_plan_used), 0) END;
        IF v_need > 0 THEN
            v_new_blocks_burned := v_blocks_burned + quotakit.burn_credit_blocks_v8(p_subject_id, p_feature_key,
                h.period_start, p_now, v_need, false);
        END IF;
    END IF;

    IF p_limit > 0 THEN
        SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
        FROM unnest(p_thresholds) AS t
        WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
    END IF;

    UPDATE quotakit.usage_counters c
    SET used = v_new_used, alerted_percent = v_new_alerted, updated_at = p_now, blocks_burned = v_new_blocks_burned
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = h.period_start;
    UPDATE quotakit.usage_holds x SET state = 'committed', settled_amount = p_actual, settled_at = p_now
    WHERE x.subject_id = p_subject_id AND x.id = p_hold_id;
    RETURN QUERY SELECT 'committed'::text, true, h.amount, p_actual, v_new_used, v_alerted, v_new_alerted,
        h.period_start, v_end, h.expires_at, v_new_blocks_burned;
END;
$function$;
