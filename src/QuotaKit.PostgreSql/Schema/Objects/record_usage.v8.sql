-- The hot path from schema version 8 on: record_usage_v7 with credit blocks (issue 15 part 3). Everything is version 7's
-- text, with these steps added: the counter's blocks_burned is read with it; a consume or increment under a numeric limit
-- burns what the plan's allowance left in the period cannot cover from the blocks usable at the write's instant (a hard
-- limit refuses, burning nothing, when they cannot cover it); a refund gives back to the blocks its period burned first;
-- the answer ends with the period's blocks_burned and the units left in the usable blocks. Expired holds are given back
-- by release_expired_holds_v8 (blocks first). Lock order: expired holds, the counter, the blocks in burn order.
CREATE OR REPLACE FUNCTION quotakit.record_usage_v8(
    p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
    p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
    p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
    p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean,
    p_call_id uuid, p_subject_version bigint, p_rollover_cap bigint, p_rollover_until timestamptz)
RETURNS TABLE (
    outcome smallint, used bigint, alerted_before integer, alerted_after integer,
    period_start timestamptz, period_end timestamptz,
    is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
    replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, subject_context jsonb,
    blocks_burned bigint, blocks_remaining bigint)
LANGUAGE plpgsql
AS $function$
DECLARE
    v_event_id bigint;
    v_found boolean;
    v_cut_start timestamptz;
    v_last_write timestamptz;
    v_start timestamptz;
    v_end timestamptz;
    v_new_end timestamptz;
    v_next_start timestamptz;
    v_used bigint;
    v_alerted integer;
    v_new_used bigint;
    v_new_alerted integer;
    v_outcome smallint := 0;
    v_version bigint;
    v_blocks_burned bigint := 0;
    v_new_blocks_burned bigint;
    v_plan_used bigint;
    v_need bigint := 0;
    v_burned bigint := 0;
    v_inserted integer;
    v_refused boolean;
    v_row boolean := true;
BEGIN
    -- 0. A write worked out from another version of the subject's context writes nothing (not even a released hold)
    --    and answers the current context, so that the caller decides again without another round trip.
    IF p_subject_version IS NOT NULL THEN
        SELECT s.context_version INTO v_version FROM quotakit.subjects s WHERE s.subject_id = p_subject_id;
        IF NOT FOUND THEN
            v_version := CASE
                WHEN EXISTS (SELECT 1 FROM quotakit.subject_limit_overrides o WHERE o.subject_id = p_subject_id)
                  OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id) THEN -1
                ELSE 0 END;
        END IF;

        IF v_version <> p_subject_version THEN
            RETURN QUERY SELECT NULL::smallint, NULL::bigint, NULL::integer, NULL::integer, NULL::timestamptz,
                NULL::timestamptz, false, NULL::uuid, NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint,
                NULL::boolean, quotakit.subject_context(p_subject_id), NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    -- 0b. Holds of this counter that expired unsettled stop counting before anything is decided.
    IF EXISTS (SELECT 1 FROM quotakit.usage_holds h WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key
               AND h.state = 'held' AND h.expires_at <= p_now) THEN
        PERFORM quotakit.release_expired_holds_v8(p_subject_id, p_feature_key, p_now);
    END IF;

    -- 1. Claim the idempotency key. A concurrent holder of the same key makes this wait until it commits. The call id
    --    tells the tracker's own retry of a call (same id) from a caller's replay of an earlier call (another id).
    IF p_idempotency_key IS NOT NULL THEN
        INSERT INTO quotakit.usage_events AS e (subject_id, feature_key, operation, amount, occurred_at,
            period_start, period_end, idempotency_key, metadata, outcome, used_after, limit_kind, limit_value,
            limit_soft, recorded_at, call_id)
        VALUES (p_subject_id, p_feature_key, p_operation, p_amount, p_occurred_at, p_period_start, p_period_end,
            p_idempotency_key, p_metadata, 0, 0, p_limit_kind, p_limit, p_limit_soft, p_now, p_call_id)
        ON CONFLICT (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING e.id INTO v_event_id;

        IF v_event_id IS NULL THEN
            RETURN QUERY
                SELECT e.outcome, e.used_after, 0, 0, e.period_start, e.period_end, true, e.call_id,
                       e.feature_key::text, e.operation::text, e.amount, e.limit_kind, e.limit_value, e.limit_soft,
                       NULL::jsonb, NULL::bigint, NULL::bigint
                FROM quotakit.usage_events e
                WHERE e.subject_id = p_subject_id AND e.idempotency_key = p_idempotency_key;
            RETURN;
        END IF;
    END IF;

    -- 2. Lock the counter whose period holds the usage instant: the latest period starting at or before it.
    SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at, c.blocks_burned
    INTO v_start, v_end, v_used, v_alerted, v_last_write, v_blocks_burned
    FROM quotakit.usage_counters c
    WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start <= p_occurred_at
    ORDER BY c.period_start DESC
    LIMIT 1
    FOR UPDATE;
    v_found := FOUND AND v_end > p_occurred_at;

    -- 3. The subject's schedule changed (time zone, billing anchor, tz database) while that period was open. If its
    --    last write came before the new schedule's period started, none of its usage belongs there: the new period
    --    starts from zero where it starts, and the open period ends there. Otherwise (step 5) the open period joins
    --    the new one: it keeps its start and usage and ends where the new period ends. Nothing fails or resets.
    IF v_found AND v_start < p_period_start AND v_last_write < p_period_start THEN
        v_found := false;
        v_cut_start := v_start;
        v_end := p_period_start;
    END IF;

    IF NOT v_found AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit AND p_rollover_until IS NULL
        AND (p_limit_kind <> 0 OR p_amount - p_limit > quotakit.credit_blocks_usable_v8(p_subject_id, p_feature_key, p_occurred_at)) THEN
        -- Refused even on an empty counter (the usable blocks cannot cover what the plan cannot): answer without
        -- creating the period's row. Not for a feature that rolls over: its first write creates the row and the
        -- rollover, which may cover it.
        v_row := false;
        v_used := 0;
        v_blocks_burned := 0;
        v_alerted := 0;
        v_start := p_period_start;
        v_end := p_period_end;
    ELSIF NOT v_found THEN
        IF v_cut_start IS NOT NULL THEN
            UPDATE quotakit.usage_counters c SET period_end = p_period_start
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_cut_start;
        END IF;

        -- 4. The first write of a period. Its row spans the computed period, cut where a stored period of another
        --    schedule ends before it or starts after it, so that periods never overlap.
        SELECT min(c.period_start) INTO v_next_start
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start > p_occurred_at;
        v_start := CASE WHEN v_end IS NOT NULL AND v_end > p_period_start THEN v_end ELSE p_period_start END;
        v_end := least(p_period_end, coalesce(v_next_start, p_period_end));

        INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used,
            limit_value, alerted_percent, created_at, updated_at)
        VALUES (p_subject_id, p_feature_key, v_start, v_end, 0, p_limit, 0, p_now, p_now)
        -- No conflict target: a concurrent first request of the same period trips the exclusion constraint
        -- as well as the key, and only an untargeted DO NOTHING waits for it instead of failing (23P01).
        ON CONFLICT DO NOTHING;

        -- The write that created the period's row carries the previous period's unused allowance over (only it: a
        -- concurrent first write waits for the row below and then finds the block).
        GET DIAGNOSTICS v_inserted = ROW_COUNT;
        IF v_inserted > 0 AND p_rollover_until IS NOT NULL THEN
            PERFORM quotakit.roll_over_v8(p_subject_id, p_feature_key, v_start, p_rollover_cap, p_rollover_until, p_now);
        END IF;

        SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.blocks_burned
        INTO v_start, v_end, v_used, v_alerted, v_blocks_burned
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
          AND c.period_start <= p_occurred_at AND c.period_end > p_occurred_at
        FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'quotakit.record_usage_v8: period [%, %) of % / % overlaps a stored period', v_start,
                v_end, p_subject_id, p_feature_key USING ERRCODE = '23P01';
        END IF;
    END IF;

    -- 5. A period of another schedule that holds the instant ends where the new schedule's period ends (not past the
    --    next stored period).
    v_new_end := v_end;
    IF v_end <> p_period_end THEN
        SELECT min(c.period_start) INTO v_next_start
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start > v_start;
        v_new_end := least(p_period_end, coalesce(v_next_start, p_period_end));
    END IF;

    -- 6. Decide while holding the lock, then write. A refused write is decided before the sum is formed, so a counter
    --    near the largest bigint still answers "limit exceeded"; only a write that would pass it fails (22003, which
    --    also undoes what it burned). Only a write that applies moves the period's end; a refused one changes nothing.
    --    Under a numeric limit, a consume or increment burns what the plan's allowance left in the period
    --    (limit - (used - blocks_burned)) cannot cover, from the usable blocks in burn order: all of it or nothing
    --    when enforced (refused when they cannot cover it), else as far as they reach (the rest goes over the limit).
    v_new_blocks_burned := v_blocks_burned;
    IF v_row AND p_limit_kind = 0 AND p_operation IN ('consume', 'increment') THEN
        v_plan_used := greatest(v_used - v_blocks_burned, 0);
        v_need := CASE WHEN v_plan_used >= p_limit THEN p_amount ELSE greatest(p_amount - (p_limit - v_plan_used), 0) END;
        IF v_need > 0 THEN
            v_burned := quotakit.burn_credit_blocks_v8(p_subject_id, p_feature_key, v_start, p_occurred_at, v_need, p_enforce);
        END IF;
        v_refused := p_enforce AND v_burned < v_need;
    ELSE
        v_refused := p_enforce AND v_used > p_limit - p_amount;
    END IF;

    IF v_refused THEN
        v_outcome := p_denied_outcome;
        v_new_used := v_used;
        v_new_alerted := v_alerted;
    ELSE
        v_new_used := CASE p_operation
            WHEN 'consume' THEN v_used + p_amount
            WHEN 'increment' THEN v_used + p_amount
            WHEN 'refund' THEN greatest(v_used - p_amount, 0)
            WHEN 'set' THEN p_amount
            WHEN 'raise' THEN greatest(v_used, p_amount)
        END;
        IF v_new_used IS NULL THEN
            RAISE EXCEPTION 'quotakit.record_usage_v8: unknown operation %', p_operation USING ERRCODE = '22023';
        END IF;

        -- A refund gives back to the blocks this period burned first, the last burned first.
        IF p_operation = 'refund' AND v_blocks_burned > 0 THEN
            v_new_blocks_burned := v_blocks_burned - quotakit.return_credit_blocks_v8(p_subject_id, p_feature_key, v_start,
                least(p_amount, v_blocks_burned));
        ELSE
            v_new_blocks_burned := v_blocks_burned + v_burned;
        END IF;

        v_new_alerted := v_alerted;
        IF p_limit > 0 THEN
            SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
            FROM unnest(p_thresholds) AS t
            WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
        END IF;

        UPDATE quotakit.usage_counters c
        SET used = v_new_used, limit_value = p_limit, alerted_percent = v_new_alerted, period_end = v_new_end,
            updated_at = p_now, blocks_burned = v_new_blocks_burned
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_start;
    END IF;

    -- 7. Ledger: complete the claimed event, or record a new one when asked to.
    IF v_event_id IS NOT NULL THEN
        UPDATE quotakit.usage_events
        SET outcome = v_outcome, used_after = v_new_used, period_start = v_start, period_end = v_new_end
        WHERE id = v_event_id;
    ELSIF p_record_event THEN
        INSERT INTO quotakit.usage_events (subject_id, feature_key, operation, amount, occurred_at, period_start,
            period_end, metadata, outcome, used_after, limit_kind, limit_value, limit_soft, recorded_at, call_id)
        VALUES (p_subject_id, p_feature_key, p_operation, p_amount, p_occurred_at, v_start, v_new_end,
            p_metadata, v_outcome, v_new_used, p_limit_kind, p_limit, p_limit_soft, p_now, p_call_id);
    END IF;

    RETURN QUERY SELECT v_outcome, v_new_used, v_alerted, v_new_alerted, v_start, v_new_end, false, NULL::uuid,
        NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint, NULL::boolean, NULL::jsonb,
        v_new_blocks_burned, quotakit.credit_blocks_usable_v8(p_subject_id, p_feature_key, p_occurred_at);
END;
$function$;