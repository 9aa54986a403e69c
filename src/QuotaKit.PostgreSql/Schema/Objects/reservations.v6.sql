-- Reservations (issue 15): a hold is units taken from a counter now, for work whose cost is known only at the end, and
-- settled later by a commit (the actual amount replaces the hold) or a release (the hold is given back). A hold's units
-- are part of the counter's `used` from the moment it is granted, so every decision (single, batched, coalesced)
-- counts it against the limit without knowing about holds. An expired hold stops counting at the next write to its
-- counter or a settle of it: that write releases it first, in its own transaction, so no background job is needed.
--
-- Lock order, the same for every writer so that none can deadlock another: a counter's expired hold rows (sorted by
-- id), then its counter row. A settle locks its one hold row, then the counter.
CREATE TABLE quotakit.usage_holds (
    subject_id text NOT NULL,
    id uuid NOT NULL,
    feature_key text NOT NULL,
    period_start timestamptz NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    expires_at timestamptz NOT NULL,
    -- 'held' until settled; then 'committed' (settled_amount = the actual amount), 'released' or 'expired'.
    state text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'committed', 'released', 'expired')),
    settled_amount bigint,
    created_at timestamptz NOT NULL,
    settled_at timestamptz,
    CONSTRAINT pk_usage_holds PRIMARY KEY (subject_id, id)
);

-- What every write probes: the holds of its counter still counting. Settled rows are not in it, so it stays small.
CREATE INDEX ix_usage_holds_held ON quotakit.usage_holds (subject_id, feature_key, expires_at) WHERE state = 'held';
-- The purge of settled holds (ForgetIdempotencyKeysAsync).
CREATE INDEX ix_usage_holds_settled ON quotakit.usage_holds (settled_at) WHERE state <> 'held';

-- Gives back the units of the holds of one subject and feature that expired at p_now; returns how many holds.
CREATE FUNCTION quotakit.release_expired_holds_v6(p_subject_id text, p_feature_key text, p_now timestamptz)
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
CREATE FUNCTION quotakit.release_expired_holds_batch_v6(p_subject_ids text[], p_feature_keys text[], p_now timestamptz)
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

-- record_usage_v3's decision (the subject-version check, then record_usage_v2), after giving back the counter's
-- expired holds. The probe is one index look-up that finds nothing unless a hold of this subject and feature expired
-- unsettled. It calls record_usage_v2 itself rather than through record_usage_v3, to keep one PL/pgSQL level.
CREATE FUNCTION quotakit.record_usage_v6(
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

-- A consume of p_amount, exactly as record_usage_v6 decides it, that also stores a hold of those units with the id
-- p_call_id until p_expires_at when it is granted. A replay (the same idempotency key) stores nothing and answers the
-- first call, whose call id is the hold's id.
CREATE FUNCTION quotakit.reserve_usage_v6(
    p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
    p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
    p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
    p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean,
    p_call_id uuid, p_subject_version bigint, p_expires_at timestamptz)
RETURNS TABLE (
    outcome smallint, used bigint, alerted_before integer, alerted_after integer,
    period_start timestamptz, period_end timestamptz,
    is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
    replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, subject_context jsonb)
LANGUAGE plpgsql
AS $function$
DECLARE
    r record;
BEGIN
    IF p_operation <> 'consume' THEN
        RAISE EXCEPTION 'quotakit.reserve_usage_v6: a reservation consumes, not %', p_operation USING ERRCODE = '22023';
    END IF;

    SELECT * INTO r FROM quotakit.record_usage_v6(p_subject_id, p_feature_key, p_period_start, p_period_end,
        p_operation, p_amount, p_limit, p_enforce, p_denied_outcome, p_limit_kind, p_limit_soft, p_thresholds, p_now,
        p_occurred_at, p_idempotency_key, p_metadata, p_record_event, p_call_id, p_subject_version) AS x;

    IF r.subject_context IS NULL AND NOT r.is_replay AND r.outcome = 0 THEN
        INSERT INTO quotakit.usage_holds (subject_id, id, feature_key, period_start, amount, expires_at, created_at)
        VALUES (p_subject_id, p_call_id, p_feature_key, r.period_start, p_amount, p_expires_at, p_now);
    END IF;

    RETURN QUERY SELECT r.outcome, r.used, r.alerted_before, r.alerted_after, r.period_start, r.period_end, r.is_replay,
        r.replay_call_id, r.replay_feature_key, r.replay_operation, r.replay_amount, r.replay_limit_kind,
        r.replay_limit_value, r.replay_limit_soft, r.subject_context;
END;
$function$;

-- Settles one hold: p_commit = true turns it into usage of p_actual units (which may be more or fewer than held; the
-- counter may pass a hard limit by what was used beyond the hold: the work is done), false gives it back. A hold past
-- its expiry is given back as expired and not committed. A settled hold answers its settlement again (changed =
-- false), so a settle can be retried. No row: the hold does not exist (or not for this subject and feature).
CREATE FUNCTION quotakit.settle_hold_v6(
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
