CREATE OR REPLACE FUNCTION quotakit.record_usage_batch_v8(
    p_subject_ids text[], p_feature_keys text[], p_period_starts timestamptz[], p_period_ends timestamptz[],
    p_operations text[], p_amounts bigint[], p_limits bigint[], p_enforce boolean[], p_denied_outcomes smallint[],
    p_limit_kinds smallint[], p_limit_soft boolean[], p_thresholds integer[],
    p_now timestamptz[], p_occurred_at timestamptz[], p_idempotency_keys text[], p_metadata jsonb[],
    p_record_events boolean[], p_call_ids uuid[], p_rollover_caps bigint[], p_rollover_untils timestamptz[])
RETURNS TABLE (
    item integer, outcome smallint, used bigint, alerted_before integer, alerted_after integer,
    period_start timestamptz, period_end timestamptz,
    is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
    replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, error_code text,
    blocks_burned bigint, blocks_remaining bigint)
LANGUAGE plpgsql
AS $function$
-- Version 8: record_usage_batch (version 4) with credit blocks, each item decided as record_usage_v8 decides it (its
-- block steps: the counter's blocks_burned, kept in memory with the counter between items; the burn of what the plan
-- cannot cover; a refund's give-back; blocks_burned and blocks_remaining answered at the end of each row). A counter's
-- blocks are locked right after its counter row, in burn order. Known limit of the lock order: a batch that writes two
-- periods of one feature (items with instants in two periods) locks the first period's blocks before the second
-- period's counter, while a single write of the second period locks that counter before the same blocks.
--
-- Many writes in one transaction: item i of every array is one call of quotakit.record_usage_v2 with the same
-- parameters, decided exactly as that call would be. p_thresholds is two-dimensional: row i holds item i's thresholds,
-- padded with 0 (a threshold of 0 is never reported). One row per item comes back, in item order.
--
-- Order. Writes of one counter are decided in arrival (item) order. Locks are taken in one fixed order, the same for
-- every batch, so two batches never wait for each other in a cycle: first the idempotency keys, sorted by (subject, key)
-- (a single call also claims its key before its counter), then the counter rows, as the items are processed sorted by
-- (subject, feature, computed period start, item): each item locks its counter row (or inserts a new period row) in
-- that order.
--
-- Item errors. A bad item never fails the others: a counter that would pass the largest bigint (SQLSTATE 22003 in a
-- single call) is answered with error_code '22003' for that item alone, and nothing of that item is written (its
-- claimed idempotency key is released). The tracker validates every other input before it sends a batch.
DECLARE
    n integer := coalesce(cardinality(p_subject_ids), 0);
    v_threshold_count integer := coalesce(array_length(p_thresholds, 2), 0);
    -- Per item: P = to process, D = decided, E = item error, R = replay of a stored call, F = replay of an earlier
    -- item of this batch with the same key (its claimer).
    v_state "char"[] := array_fill('P'::"char", ARRAY[n]);
    v_claimer integer[] := array_fill(0, ARRAY[n]);
    v_event_ids bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_claimers integer[];
    v_claim_ids bigint[];
    v_order integer[];
    v_pos integer := 1;
    v_rec record;
    i integer;
    j integer;
    v_follower integer;
    r_outcome smallint[] := array_fill(0::smallint, ARRAY[n]);
    r_used bigint[] := array_fill(0::bigint, ARRAY[n]);
    r_before integer[] := array_fill(0, ARRAY[n]);
    r_after integer[] := array_fill(0, ARRAY[n]);
    r_start timestamptz[] := array_fill(NULL::timestamptz, ARRAY[n]);
    r_end timestamptz[] := array_fill(NULL::timestamptz, ARRAY[n]);
    r_call uuid[] := array_fill(NULL::uuid, ARRAY[n]);
    r_feature text[] := array_fill(NULL::text, ARRAY[n]);
    r_operation text[] := array_fill(NULL::text, ARRAY[n]);
    r_amount bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    r_kind smallint[] := array_fill(NULL::smallint, ARRAY[n]);
    r_limit bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    r_soft boolean[] := array_fill(NULL::boolean, ARRAY[n]);
    r_error text[] := array_fill(NULL::text, ARRAY[n]);
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
    v_outcome smallint;
    v_threshold integer;
    -- The counter of the last item, while the next items go to the same counter: its row is written once, when the
    -- items move on to another counter (or before any statement that reads it), instead of once per item.
    v_c_subject text;
    v_c_feature text;
    v_c_start timestamptz;
    v_c_end timestamptz;
    v_c_used bigint;
    v_c_alerted integer;
    v_c_last_write timestamptz;
    v_c_limit bigint;
    v_c_dirty boolean := false;
    -- Counters written in memory and not yet stored, stored together by one UPDATE: at the end, and before an item reads
    -- a counter of the same subject and feature again.
    v_p_subject text[] := '{}';
    v_p_feature text[] := '{}';
    v_p_start timestamptz[] := '{}';
    v_p_used bigint[] := '{}';
    v_p_limit bigint[] := '{}';
    v_p_alerted integer[] := '{}';
    v_p_end timestamptz[] := '{}';
    v_p_updated timestamptz[] := '{}';
    v_sorted_items integer;
    v_row boolean;
    v_inserted integer;
    v_c_blocks_burned bigint;
    v_p_blocks_burned bigint[] := '{}';
    r_blocks_burned bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    r_blocks_remaining bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    v_blocks_burned bigint;
    v_new_blocks_burned bigint;
    v_plan_used bigint;
    v_need bigint;
    v_burned bigint;
    v_refused boolean;
BEGIN
    IF coalesce(cardinality(p_feature_keys), 0) <> n OR coalesce(cardinality(p_period_starts), 0) <> n
        OR coalesce(cardinality(p_period_ends), 0) <> n OR coalesce(cardinality(p_operations), 0) <> n
        OR coalesce(cardinality(p_amounts), 0) <> n OR coalesce(cardinality(p_limits), 0) <> n
        OR coalesce(cardinality(p_enforce), 0) <> n OR coalesce(cardinality(p_denied_outcomes), 0) <> n
        OR coalesce(cardinality(p_limit_kinds), 0) <> n OR coalesce(cardinality(p_limit_soft), 0) <> n
        OR (v_threshold_count > 0 AND array_length(p_thresholds, 1) <> n)
        OR coalesce(cardinality(p_now), 0) <> n OR coalesce(cardinality(p_occurred_at), 0) <> n
        OR coalesce(cardinality(p_idempotency_keys), 0) <> n OR coalesce(cardinality(p_metadata), 0) <> n
        OR coalesce(cardinality(p_record_events), 0) <> n OR coalesce(cardinality(p_call_ids), 0) <> n
        OR coalesce(cardinality(p_rollover_caps), 0) <> n OR coalesce(cardinality(p_rollover_untils), 0) <> n THEN
        RAISE EXCEPTION 'quotakit.record_usage_batch_v8: every array must have one element per item (% items)', n
            USING ERRCODE = '22023';
    END IF;

    IF n = 0 THEN
        RETURN;
    END IF;

    -- 1. Claim the idempotency keys, sorted by (subject, key); the first item with a key claims it. A concurrent holder
    --    of a key makes this wait until it commits. (Skipped when no item has a key.)
    IF cardinality(array_remove(p_idempotency_keys, NULL)) > 0 THEN
    WITH firsts AS (
        SELECT DISTINCT ON (u.s, u.k) u.i, u.s, u.k
        FROM unnest(p_subject_ids, p_idempotency_keys) WITH ORDINALITY AS u(s, k, i)
        WHERE u.k IS NOT NULL
        ORDER BY u.s, u.k, u.i),
    claimed AS (
        INSERT INTO quotakit.usage_events AS e (subject_id, feature_key, operation, amount, occurred_at,
            period_start, period_end, idempotency_key, metadata, outcome, used_after, limit_kind, limit_value,
            limit_soft, recorded_at, call_id)
        SELECT f.s, p_feature_keys[f.i], p_operations[f.i], p_amounts[f.i], p_occurred_at[f.i], p_period_starts[f.i],
            p_period_ends[f.i], f.k, p_metadata[f.i], 0, 0, p_limit_kinds[f.i], p_limits[f.i], p_limit_soft[f.i],
            p_now[f.i], p_call_ids[f.i]
        FROM firsts f
        ORDER BY f.s, f.k
        ON CONFLICT (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING e.id, e.subject_id, e.idempotency_key)
    SELECT array_agg(f.i), array_agg(c.id) INTO v_claimers, v_claim_ids
    FROM claimed c JOIN firsts f ON f.s = c.subject_id AND f.k = c.idempotency_key;

    FOR j IN 1..coalesce(cardinality(v_claimers), 0) LOOP
        v_event_ids[v_claimers[j]] := v_claim_ids[j];
    END LOOP;

    -- Every other item with a key: a replay of its claimer in this batch, else of the stored first call.
    FOR v_rec IN
        SELECT u.i, min(u.i) OVER (PARTITION BY u.s, u.k) AS first_item
        FROM unnest(p_subject_ids, p_idempotency_keys) WITH ORDINALITY AS u(s, k, i)
        WHERE u.k IS NOT NULL
    LOOP
        IF v_event_ids[v_rec.first_item] IS NULL THEN
            v_state[v_rec.i] := 'R';
        ELSIF v_rec.i <> v_rec.first_item THEN
            v_state[v_rec.i] := 'F';
            v_claimer[v_rec.i] := v_rec.first_item;
        END IF;
    END LOOP;

    FOR v_rec IN
        SELECT u.i, e.outcome, e.used_after, e.period_start, e.period_end, e.call_id, e.feature_key::text AS feature_key,
            e.operation::text AS operation, e.amount, e.limit_kind, e.limit_value, e.limit_soft
        FROM unnest(p_subject_ids, p_idempotency_keys) WITH ORDINALITY AS u(s, k, i)
        JOIN quotakit.usage_events e ON e.subject_id = u.s AND e.idempotency_key = u.k
        WHERE u.k IS NOT NULL AND v_state[u.i] = 'R'
    LOOP
        r_outcome[v_rec.i] := v_rec.outcome;
        r_used[v_rec.i] := v_rec.used_after;
        r_start[v_rec.i] := v_rec.period_start;
        r_end[v_rec.i] := v_rec.period_end;
        r_call[v_rec.i] := v_rec.call_id;
        r_feature[v_rec.i] := v_rec.feature_key;
        r_operation[v_rec.i] := v_rec.operation;
        r_amount[v_rec.i] := v_rec.amount;
        r_kind[v_rec.i] := v_rec.limit_kind;
        r_limit[v_rec.i] := v_rec.limit_value;
        r_soft[v_rec.i] := v_rec.limit_soft;
    END LOOP;
    END IF;

    -- 2. The order in which the items are processed, and so the order in which their counter rows are locked (and new
    --    period rows inserted): by key, the same for every batch.
    SELECT array_agg(u.i ORDER BY u.s, u.f, p_period_starts[u.i], u.i) INTO v_order
    FROM unnest(p_subject_ids, p_feature_keys) WITH ORDINALITY AS u(s, f, i)
    WHERE v_state[u.i] = 'P';
    v_sorted_items := coalesce(cardinality(v_order), 0);

    -- 3. Each item as record_usage_v2 decides it (its steps 2 to 7), in that order.
    WHILE v_pos <= coalesce(cardinality(v_order), 0) LOOP
        i := v_order[v_pos];
        v_pos := v_pos + 1;
        v_outcome := 0;
        v_cut_start := NULL;
        v_event_id := v_event_ids[i];

        IF v_event_id IS NULL AND p_idempotency_keys[i] IS NOT NULL THEN
            -- A key whose first item in this batch failed: this item claims it now (nobody else can hold it: this
            -- transaction's released claim still blocks other claimers until it commits).
            INSERT INTO quotakit.usage_events AS e (subject_id, feature_key, operation, amount, occurred_at,
                period_start, period_end, idempotency_key, metadata, outcome, used_after, limit_kind, limit_value,
                limit_soft, recorded_at, call_id)
            VALUES (p_subject_ids[i], p_feature_keys[i], p_operations[i], p_amounts[i], p_occurred_at[i],
                p_period_starts[i], p_period_ends[i], p_idempotency_keys[i], p_metadata[i], 0, 0, p_limit_kinds[i],
                p_limits[i], p_limit_soft[i], p_now[i], p_call_ids[i])
            RETURNING e.id INTO v_event_id;
            v_event_ids[i] := v_event_id;
        END IF;

        IF v_c_subject = p_subject_ids[i] AND v_c_feature = p_feature_keys[i] AND v_c_start <= p_occurred_at[i]
            AND v_c_end > p_occurred_at[i] AND NOT (v_c_start < p_period_starts[i] AND v_c_last_write < p_period_starts[i]) THEN
            -- The same counter as the item before, and it still holds this item's instant under its schedule.
            v_found := true;
            v_start := v_c_start;
            v_end := v_c_end;
            v_used := v_c_used;
            v_alerted := v_c_alerted;
            v_blocks_burned := v_c_blocks_burned;
        ELSE
            IF v_c_dirty THEN
                v_p_subject := v_p_subject || v_c_subject;
                v_p_feature := v_p_feature || v_c_feature;
                v_p_start := v_p_start || v_c_start;
                v_p_used := v_p_used || v_c_used;
                v_p_limit := v_p_limit || v_c_limit;
                v_p_alerted := v_p_alerted || v_c_alerted;
                v_p_end := v_p_end || v_c_end;
                v_p_updated := v_p_updated || v_c_last_write;
                v_p_blocks_burned := v_p_blocks_burned || v_c_blocks_burned;
            END IF;

            -- Another period of the same subject and feature, or an item processed out of key order (a key's new first
            -- call): what it reads must be stored first.
            IF cardinality(v_p_subject) > 0 AND ((v_c_subject = p_subject_ids[i] AND v_c_feature = p_feature_keys[i])
                OR v_pos > v_sorted_items + 1) THEN
                UPDATE quotakit.usage_counters c
                SET used = u.new_used, limit_value = u.new_limit, alerted_percent = u.new_alerted, period_end = u.new_end,
                    updated_at = u.new_updated, blocks_burned = u.new_blocks_burned
                FROM unnest(v_p_subject, v_p_feature, v_p_start, v_p_used, v_p_limit, v_p_alerted, v_p_end, v_p_updated,
                    v_p_blocks_burned)
                    AS u(s, f, ps, new_used, new_limit, new_alerted, new_end, new_updated, new_blocks_burned)
                WHERE c.subject_id = u.s AND c.feature_key = u.f AND c.period_start = u.ps;
                v_p_subject := '{}';
                v_p_feature := '{}';
                v_p_start := '{}';
                v_p_used := '{}';
                v_p_limit := '{}';
                v_p_alerted := '{}';
                v_p_end := '{}';
                v_p_updated := '{}';
                v_p_blocks_burned := '{}';
            END IF;
            v_c_subject := NULL;
            v_c_dirty := false;

            SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at, c.blocks_burned
            INTO v_start, v_end, v_used, v_alerted, v_last_write, v_blocks_burned
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i] AND c.period_start <= p_occurred_at[i]
            ORDER BY c.period_start DESC
            LIMIT 1
            FOR UPDATE;
            v_found := FOUND AND v_end > p_occurred_at[i];

            IF v_found AND v_start < p_period_starts[i] AND v_last_write < p_period_starts[i] THEN
                v_found := false;
                v_cut_start := v_start;
                v_end := p_period_starts[i];
            END IF;
        END IF;

        v_row := true;
        IF NOT v_found AND p_enforce[i] AND p_operations[i] IN ('consume', 'increment') AND p_amounts[i] > p_limits[i]
            AND p_rollover_untils[i] IS NULL AND (p_limit_kinds[i] <> 0
                 OR p_amounts[i] - p_limits[i] > quotakit.credit_blocks_usable_v8(p_subject_ids[i], p_feature_keys[i], p_occurred_at[i])) THEN
            -- Refused even on an empty counter (the usable blocks cannot cover what the plan cannot): answered without
            -- creating the period's row.
            v_row := false;
            v_used := 0;
            v_blocks_burned := 0;
            v_alerted := 0;
            v_start := p_period_starts[i];
            v_end := p_period_ends[i];
        ELSIF NOT v_found THEN
            IF v_cut_start IS NOT NULL THEN
                UPDATE quotakit.usage_counters c SET period_end = p_period_starts[i]
                WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i] AND c.period_start = v_cut_start;
            END IF;

            SELECT min(c.period_start) INTO v_next_start
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i] AND c.period_start > p_occurred_at[i];
            v_start := CASE WHEN v_end IS NOT NULL AND v_end > p_period_starts[i] THEN v_end ELSE p_period_starts[i] END;
            v_end := least(p_period_ends[i], coalesce(v_next_start, p_period_ends[i]));

            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used,
                limit_value, alerted_percent, created_at, updated_at)
            VALUES (p_subject_ids[i], p_feature_keys[i], v_start, v_end, 0, p_limits[i], 0, p_now[i], p_now[i])
            ON CONFLICT DO NOTHING;

            -- As record_usage_v8: the item that created the period's row carries the previous period's unused allowance
            -- over (a previous period written by this batch was stored above, before this item read its counter).
            GET DIAGNOSTICS v_inserted = ROW_COUNT;
            IF v_inserted > 0 AND p_rollover_untils[i] IS NOT NULL THEN
                PERFORM quotakit.roll_over_v8(p_subject_ids[i], p_feature_keys[i], v_start, p_rollover_caps[i],
                    p_rollover_untils[i], p_now[i]);
            END IF;

            SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at, c.blocks_burned
            INTO v_start, v_end, v_used, v_alerted, v_last_write, v_blocks_burned
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i]
              AND c.period_start <= p_occurred_at[i] AND c.period_end > p_occurred_at[i]
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'quotakit.record_usage_batch_v8: period [%, %) of % / % overlaps a stored period', v_start,
                    v_end, p_subject_ids[i], p_feature_keys[i] USING ERRCODE = '23P01';
            END IF;
        END IF;

        IF v_c_subject IS NULL AND v_row THEN
            v_c_subject := p_subject_ids[i];
            v_c_feature := p_feature_keys[i];
            v_c_start := v_start;
            v_c_end := v_end;
            v_c_used := v_used;
            v_c_alerted := v_alerted;
            v_c_last_write := v_last_write;
            v_c_blocks_burned := v_blocks_burned;
        END IF;

        v_new_end := v_end;
        IF v_end <> p_period_ends[i] THEN
            SELECT min(c.period_start) INTO v_next_start
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i] AND c.period_start > v_start;
            v_new_end := least(p_period_ends[i], coalesce(v_next_start, p_period_ends[i]));
        END IF;

        -- The block steps of record_usage_v8. A write that would pass the largest bigint burns nothing: it is refused
        -- (the blocks, read, cannot cover it under a hard limit) or fails alone below.
        v_new_blocks_burned := v_blocks_burned;
        v_burned := 0;
        v_need := 0;
        IF v_row AND p_limit_kinds[i] = 0 AND p_operations[i] IN ('consume', 'increment') THEN
            v_plan_used := greatest(v_used - v_blocks_burned, 0);
            v_need := CASE WHEN v_plan_used >= p_limits[i] THEN p_amounts[i]
                ELSE greatest(p_amounts[i] - (p_limits[i] - v_plan_used), 0) END;
            IF v_need > 0 AND v_used > 9223372036854775807 - p_amounts[i] THEN
                v_refused := p_enforce[i]
                    AND v_need > quotakit.credit_blocks_usable_v8(p_subject_ids[i], p_feature_keys[i], p_occurred_at[i]);
            ELSE
                IF v_need > 0 THEN
                    v_burned := quotakit.burn_credit_blocks_v8(p_subject_ids[i], p_feature_keys[i], v_start, p_occurred_at[i],
                        v_need, p_enforce[i]);
                END IF;
                v_refused := p_enforce[i] AND v_burned < v_need;
            END IF;
        ELSE
            v_refused := p_enforce[i] AND v_used > p_limits[i] - p_amounts[i];
        END IF;

        IF v_refused THEN
            v_outcome := p_denied_outcomes[i];
            v_new_used := v_used;
            v_new_alerted := v_alerted;
        ELSIF p_operations[i] IN ('consume', 'increment') AND v_used > 9223372036854775807 - p_amounts[i] THEN
            -- The counter would pass the largest bigint: this item fails alone and writes nothing (a counter this
            -- full was found, not created, so no row was inserted or cut for it).
            r_error[i] := '22003';
            v_state[i] := 'E';
            IF v_event_id IS NOT NULL THEN
                DELETE FROM quotakit.usage_events WHERE id = v_event_id;
                v_event_ids[i] := NULL;
                -- Its first follower, if any, becomes the key's first call and is processed last.
                v_follower := NULL;
                FOR j IN 1..n LOOP
                    IF v_state[j] = 'F' AND v_claimer[j] = i THEN
                        IF v_follower IS NULL THEN
                            v_follower := j;
                            v_state[j] := 'P';
                            v_claimer[j] := 0;
                            v_order := v_order || j;
                        ELSE
                            v_claimer[j] := v_follower;
                        END IF;
                    END IF;
                END LOOP;
            END IF;
            CONTINUE;
        ELSE
            v_new_used := CASE p_operations[i]
                WHEN 'consume' THEN v_used + p_amounts[i]
                WHEN 'increment' THEN v_used + p_amounts[i]
                WHEN 'refund' THEN greatest(v_used - p_amounts[i], 0)
                WHEN 'set' THEN p_amounts[i]
                WHEN 'raise' THEN greatest(v_used, p_amounts[i])
            END;
            IF v_new_used IS NULL THEN
                RAISE EXCEPTION 'quotakit.record_usage_batch_v8: unknown operation %', p_operations[i] USING ERRCODE = '22023';
            END IF;

            IF p_operations[i] = 'refund' AND v_blocks_burned > 0 THEN
                v_new_blocks_burned := v_blocks_burned - quotakit.return_credit_blocks_v8(p_subject_ids[i], p_feature_keys[i],
                    v_start, least(p_amounts[i], v_blocks_burned));
            ELSE
                v_new_blocks_burned := v_blocks_burned + v_burned;
            END IF;

            v_new_alerted := v_alerted;
            IF p_limits[i] > 0 THEN
                FOR j IN 1..v_threshold_count LOOP
                    v_threshold := p_thresholds[i][j];
                    IF v_threshold > v_new_alerted AND v_new_used::numeric * 100 >= v_threshold::numeric * p_limits[i] THEN
                        v_new_alerted := v_threshold;
                    END IF;
                END LOOP;
            END IF;

            -- Written to the row when the items move on to another counter.
            v_c_used := v_new_used;
            v_c_limit := p_limits[i];
            v_c_alerted := v_new_alerted;
            v_c_end := v_new_end;
            v_c_last_write := p_now[i];
            v_c_blocks_burned := v_new_blocks_burned;
            v_c_dirty := true;
        END IF;

        IF v_event_id IS NOT NULL THEN
            UPDATE quotakit.usage_events
            SET outcome = v_outcome, used_after = v_new_used, period_start = v_start, period_end = v_new_end
            WHERE id = v_event_id;
        ELSIF p_record_events[i] THEN
            INSERT INTO quotakit.usage_events (subject_id, feature_key, operation, amount, occurred_at, period_start,
                period_end, metadata, outcome, used_after, limit_kind, limit_value, limit_soft, recorded_at, call_id)
            VALUES (p_subject_ids[i], p_feature_keys[i], p_operations[i], p_amounts[i], p_occurred_at[i], v_start,
                v_new_end, p_metadata[i], v_outcome, v_new_used, p_limit_kinds[i], p_limits[i], p_limit_soft[i],
                p_now[i], p_call_ids[i]);
        END IF;

        v_state[i] := 'D';
        r_outcome[i] := v_outcome;
        r_used[i] := v_new_used;
        r_before[i] := v_alerted;
        r_after[i] := v_new_alerted;
        r_start[i] := v_start;
        r_end[i] := v_new_end;
        r_blocks_burned[i] := v_new_blocks_burned;
        r_blocks_remaining[i] := quotakit.credit_blocks_usable_v8(p_subject_ids[i], p_feature_keys[i], p_occurred_at[i]);
    END LOOP;

    IF v_c_dirty THEN
        v_p_subject := v_p_subject || v_c_subject;
        v_p_feature := v_p_feature || v_c_feature;
        v_p_start := v_p_start || v_c_start;
        v_p_used := v_p_used || v_c_used;
        v_p_limit := v_p_limit || v_c_limit;
        v_p_alerted := v_p_alerted || v_c_alerted;
        v_p_end := v_p_end || v_c_end;
        v_p_updated := v_p_updated || v_c_last_write;
        v_p_blocks_burned := v_p_blocks_burned || v_c_blocks_burned;
    END IF;

    UPDATE quotakit.usage_counters c
    SET used = u.new_used, limit_value = u.new_limit, alerted_percent = u.new_alerted, period_end = u.new_end,
        updated_at = u.new_updated, blocks_burned = u.new_blocks_burned
    FROM unnest(v_p_subject, v_p_feature, v_p_start, v_p_used, v_p_limit, v_p_alerted, v_p_end, v_p_updated,
        v_p_blocks_burned)
        AS u(s, f, ps, new_used, new_limit, new_alerted, new_end, new_updated, new_blocks_burned)
    WHERE c.subject_id = u.s AND c.feature_key = u.f AND c.period_start = u.ps;

    -- 4. A later item with the key of an earlier one in this batch answers as that first call's replay.
    FOR i IN 1..n LOOP
        IF v_state[i] = 'F' THEN
            j := v_claimer[i];
            r_outcome[i] := r_outcome[j];
            r_used[i] := r_used[j];
            r_start[i] := r_start[j];
            r_end[i] := r_end[j];
            r_call[i] := p_call_ids[j];
            r_feature[i] := p_feature_keys[j];
            r_operation[i] := p_operations[j];
            r_amount[i] := p_amounts[j];
            r_kind[i] := p_limit_kinds[j];
            r_limit[i] := p_limits[j];
            r_soft[i] := p_limit_soft[j];
        END IF;
    END LOOP;

    RETURN QUERY
        SELECT g.i, r_outcome[g.i], r_used[g.i], r_before[g.i], r_after[g.i], r_start[g.i], r_end[g.i],
            v_state[g.i] IN ('R', 'F'), r_call[g.i], r_feature[g.i], r_operation[g.i], r_amount[g.i], r_kind[g.i],
            r_limit[g.i], r_soft[g.i], r_error[g.i], r_blocks_burned[g.i], r_blocks_remaining[g.i]
        FROM generate_series(1, n) AS g(i)
        ORDER BY g.i;
END;
$function$;