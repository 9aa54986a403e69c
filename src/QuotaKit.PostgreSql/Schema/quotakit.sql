DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = 'quotakit') THEN
        CREATE SCHEMA quotakit;
    END IF;
END $EF$;
CREATE TABLE IF NOT EXISTS quotakit.__quotakit_migrations (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___quotakit_migrations" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
        IF NOT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = 'quotakit') THEN
            CREATE SCHEMA quotakit;
        END IF;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE TABLE quotakit.subject_grants (
        id bigint GENERATED ALWAYS AS IDENTITY,
        subject_id character varying(256) NOT NULL,
        feature_key character varying(100) NOT NULL,
        amount bigint NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        reason character varying(500),
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_subject_grants PRIMARY KEY (id),
        CONSTRAINT ck_subject_grants_amount CHECK (amount > 0),
        CONSTRAINT ck_subject_grants_validity CHECK (valid_until > valid_from)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE TABLE quotakit.subject_limit_overrides (
        subject_id character varying(256) NOT NULL,
        feature_key character varying(100) NOT NULL,
        limit_value bigint,
        is_disabled boolean NOT NULL,
        is_soft boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_subject_limit_overrides PRIMARY KEY (subject_id, feature_key),
        CONSTRAINT ck_subject_limit_overrides_limit CHECK (limit_value IS NULL OR limit_value >= 0)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE TABLE quotakit.subjects (
        subject_id character varying(256) NOT NULL,
        plan_key character varying(100),
        billing_anchor timestamptz,
        time_zone character varying(64),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_subjects PRIMARY KEY (subject_id)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE TABLE quotakit.usage_counters (
        subject_id character varying(256) NOT NULL,
        feature_key character varying(100) NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        used bigint NOT NULL,
        limit_value bigint,
        alerted_percent integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_usage_counters PRIMARY KEY (subject_id, feature_key, period_start),
        CONSTRAINT ck_usage_counters_period CHECK (period_end > period_start),
        CONSTRAINT ck_usage_counters_used CHECK (used >= 0)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE TABLE quotakit.usage_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        subject_id character varying(256) NOT NULL,
        feature_key character varying(100) NOT NULL,
        operation character varying(16) NOT NULL,
        amount bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        idempotency_key character varying(200),
        metadata jsonb,
        outcome smallint NOT NULL,
        used_after bigint NOT NULL,
        limit_kind smallint NOT NULL,
        limit_value bigint,
        limit_soft boolean NOT NULL,
        recorded_at timestamptz NOT NULL,
        CONSTRAINT pk_usage_events PRIMARY KEY (id),
        CONSTRAINT ck_usage_events_period CHECK (period_end > period_start)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE INDEX ix_subject_grants_subject_feature ON quotakit.subject_grants (subject_id, feature_key);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE INDEX ix_usage_events_recorded_at ON quotakit.usage_events (recorded_at);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE INDEX ix_usage_events_subject_feature_time ON quotakit.usage_events (subject_id, feature_key, occurred_at);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE UNIQUE INDEX ux_usage_events_idempotency ON quotakit.usage_events (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    ALTER TABLE quotakit.usage_counters
        ADD CONSTRAINT ex_usage_counters_no_overlap
        EXCLUDE USING gist (subject_id WITH =, feature_key WITH =, tstzrange(period_start, period_end, '[)') WITH &&);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    CREATE OR REPLACE FUNCTION quotakit.record_usage(
        p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
        p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
        p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
        p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean)
    RETURNS TABLE (
        outcome smallint, used bigint, alerted_before integer, alerted_after integer, is_replay boolean,
        replay_feature_key text, replay_operation text, replay_amount bigint,
        replay_period_start timestamptz, replay_period_end timestamptz,
        replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean)
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_event_id bigint;
        v_used bigint;
        v_alerted integer;
        v_new_used bigint;
        v_new_alerted integer;
        v_outcome smallint := 0;
    BEGIN
        -- 1. Claim the idempotency key. A concurrent holder of the same key makes this wait until it commits.
        IF p_idempotency_key IS NOT NULL THEN
            INSERT INTO quotakit.usage_events AS e (subject_id, feature_key, operation, amount, occurred_at,
                period_start, period_end, idempotency_key, metadata, outcome, used_after, limit_kind, limit_value,
                limit_soft, recorded_at)
            VALUES (p_subject_id, p_feature_key, p_operation, p_amount, p_occurred_at, p_period_start, p_period_end,
                p_idempotency_key, p_metadata, 0, 0, p_limit_kind, p_limit, p_limit_soft, p_now)
            ON CONFLICT (subject_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING e.id INTO v_event_id;

            IF v_event_id IS NULL THEN
                RETURN QUERY
                    SELECT e.outcome, e.used_after, 0, 0, true, e.feature_key::text, e.operation::text, e.amount,
                           e.period_start, e.period_end, e.limit_kind, e.limit_value, e.limit_soft
                    FROM quotakit.usage_events e
                    WHERE e.subject_id = p_subject_id AND e.idempotency_key = p_idempotency_key;
                RETURN;
            END IF;
        END IF;

        -- 2. Lock the period's counter row, creating it for the first request of the period.
        SELECT c.used, c.alerted_percent INTO v_used, v_alerted
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = p_period_start
        FOR UPDATE;

        IF NOT FOUND AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN
            -- Refused even on an empty counter: answer without creating the period's row.
            v_used := 0;
            v_alerted := 0;
        ELSIF NOT FOUND THEN
            -- A new period that starts inside an earlier one (the billing anchor or the feature's period policy
            -- changed) closes the earlier period where the new one starts, so periods never overlap.
            UPDATE quotakit.usage_counters c SET period_end = p_period_start, updated_at = p_now
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
              AND c.period_start < p_period_start AND c.period_end > p_period_start;

            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used,
                limit_value, alerted_percent, created_at, updated_at)
            VALUES (p_subject_id, p_feature_key, p_period_start, p_period_end, 0, p_limit, 0, p_now, p_now)
            -- No conflict target: a concurrent first request of the same period trips the exclusion constraint
            -- as well as the key, and only an untargeted DO NOTHING waits for it instead of failing (23P01).
            ON CONFLICT DO NOTHING;

            SELECT c.used, c.alerted_percent INTO v_used, v_alerted
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = p_period_start
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'quotakit.record_usage: period [%, %) of % / % overlaps a stored period', p_period_start,
                    p_period_end, p_subject_id, p_feature_key USING ERRCODE = '23P01';
            END IF;
        END IF;

        -- 3. Decide while holding the lock (when the row exists), then write.
        v_new_used := CASE p_operation
            WHEN 'consume' THEN v_used + p_amount
            WHEN 'increment' THEN v_used + p_amount
            WHEN 'refund' THEN greatest(v_used - p_amount, 0)
            WHEN 'set' THEN p_amount
            WHEN 'raise' THEN greatest(v_used, p_amount)
        END;
        IF v_new_used IS NULL THEN
            RAISE EXCEPTION 'quotakit.record_usage: unknown operation %', p_operation USING ERRCODE = '22023';
        END IF;

        IF p_enforce AND v_new_used > p_limit THEN
            v_outcome := p_denied_outcome;
            v_new_used := v_used;
            v_new_alerted := v_alerted;
        ELSE
            v_new_alerted := v_alerted;
            IF p_limit > 0 THEN
                SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
                FROM unnest(p_thresholds) AS t
                WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
            END IF;

            UPDATE quotakit.usage_counters c
            SET used = v_new_used, limit_value = p_limit, alerted_percent = v_new_alerted, updated_at = p_now
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = p_period_start;
        END IF;

        -- 4. Ledger: complete the claimed event, or record a new one when asked to.
        IF v_event_id IS NOT NULL THEN
            UPDATE quotakit.usage_events SET outcome = v_outcome, used_after = v_new_used WHERE id = v_event_id;
        ELSIF p_record_event THEN
            INSERT INTO quotakit.usage_events (subject_id, feature_key, operation, amount, occurred_at, period_start,
                period_end, metadata, outcome, used_after, limit_kind, limit_value, limit_soft, recorded_at)
            VALUES (p_subject_id, p_feature_key, p_operation, p_amount, p_occurred_at, p_period_start, p_period_end,
                p_metadata, v_outcome, v_new_used, p_limit_kind, p_limit, p_limit_soft, p_now);
        END IF;

        RETURN QUERY SELECT v_outcome, v_new_used, v_alerted, v_new_alerted, false, NULL::text, NULL::text,
            NULL::bigint, NULL::timestamptz, NULL::timestamptz, NULL::smallint, NULL::bigint, NULL::boolean;
    END;
    $function$;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261121233614_InitialCreate') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261121233614_InitialCreate', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122063046_SchemaVersion2') THEN
    ALTER TABLE quotakit.usage_events ADD call_id uuid;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122063046_SchemaVersion2') THEN
    CREATE OR REPLACE FUNCTION quotakit.record_usage_v2(
        p_subject_id text, p_feature_key text, p_period_start timestamptz, p_period_end timestamptz,
        p_operation text, p_amount bigint, p_limit bigint, p_enforce boolean, p_denied_outcome smallint,
        p_limit_kind smallint, p_limit_soft boolean, p_thresholds integer[],
        p_now timestamptz, p_occurred_at timestamptz, p_idempotency_key text, p_metadata jsonb, p_record_event boolean,
        p_call_id uuid)
    RETURNS TABLE (
        outcome smallint, used bigint, alerted_before integer, alerted_after integer,
        period_start timestamptz, period_end timestamptz,
        is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
        replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean)
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
    BEGIN
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
                           e.feature_key::text, e.operation::text, e.amount, e.limit_kind, e.limit_value, e.limit_soft
                    FROM quotakit.usage_events e
                    WHERE e.subject_id = p_subject_id AND e.idempotency_key = p_idempotency_key;
                RETURN;
            END IF;
        END IF;

        -- 2. Lock the counter whose period holds the usage instant: the latest period starting at or before it.
        SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at
        INTO v_start, v_end, v_used, v_alerted, v_last_write
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

        IF NOT v_found AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN
            -- Refused even on an empty counter: answer without creating the period's row.
            v_used := 0;
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

            SELECT c.period_start, c.period_end, c.used, c.alerted_percent INTO v_start, v_end, v_used, v_alerted
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
              AND c.period_start <= p_occurred_at AND c.period_end > p_occurred_at
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'quotakit.record_usage_v2: period [%, %) of % / % overlaps a stored period', v_start,
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
        --    near the largest bigint still answers "limit exceeded"; only a write that would pass it fails (22003).
        --    Only a write that applies moves the period's end; a refused one changes nothing.
        IF p_enforce AND v_used > p_limit - p_amount THEN
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
                RAISE EXCEPTION 'quotakit.record_usage_v2: unknown operation %', p_operation USING ERRCODE = '22023';
            END IF;

            v_new_alerted := v_alerted;
            IF p_limit > 0 THEN
                SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
                FROM unnest(p_thresholds) AS t
                WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
            END IF;

            UPDATE quotakit.usage_counters c
            SET used = v_new_used, limit_value = p_limit, alerted_percent = v_new_alerted, period_end = v_new_end,
                updated_at = p_now
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
            NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint, NULL::boolean;
    END;
    $function$;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122063046_SchemaVersion2') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 2 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122063046_SchemaVersion2') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122063046_SchemaVersion2', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122081854_SchemaVersion3') THEN
    ALTER TABLE quotakit.subjects ADD context_version bigint NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122081854_SchemaVersion3') THEN
    -- Schema version 3: subject context versions and change notifications.
    -- Every change to what decides a subject's limits and periods (its plan, zone and anchor in quotakit.subjects, its
    -- overrides, its grants) gives the subject a new quotakit.subjects.context_version, taken from one sequence so that a
    -- version is never reused, and notifies the channel quotakit_subject_changed with the subject id at commit. A write
    -- worked out from an older context is refused by record_usage_v3; every listening instance evicts its cached copy.
    -- Triggers, so that changes made outside QuotaKit (a SQL console, the host's own code) count too.
    CREATE SEQUENCE quotakit.subject_context_versions AS bigint;

    -- Version 0 means "nothing is stored for this subject", which is what QuotaKit guesses for a subject it has not
    -- cached: give every existing subject a real version, and a row to every subject known only by overrides or grants.
    UPDATE quotakit.subjects SET context_version = nextval('quotakit.subject_context_versions');
    INSERT INTO quotakit.subjects (subject_id, created_at, updated_at, context_version)
    SELECT k.subject_id, now(), now(), nextval('quotakit.subject_context_versions')
    FROM (SELECT subject_id FROM quotakit.subject_limit_overrides UNION SELECT subject_id FROM quotakit.subject_grants) AS k
    ON CONFLICT (subject_id) DO NOTHING;

    -- The version a write is checked against and a read returns. A subject row deleted while overrides or grants remain
    -- (only by hand) reads as -1, never as 0.
    CREATE FUNCTION quotakit.subject_context_version(p_subject_id text) RETURNS bigint
        LANGUAGE sql STABLE
        AS $function$
        SELECT coalesce(
            (SELECT s.context_version FROM quotakit.subjects s WHERE s.subject_id = p_subject_id),
            CASE WHEN EXISTS (SELECT 1 FROM quotakit.subject_limit_overrides o WHERE o.subject_id = p_subject_id)
                   OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id)
                 THEN -1 ELSE 0 END)
        $function$;

    -- The whole context as JSON, with its version, read in one statement (one snapshot), so the version always belongs to
    -- the rest. Instants are microseconds since the Unix epoch; grants are in the order they were added.
    CREATE FUNCTION quotakit.subject_context(p_subject_id text) RETURNS jsonb
        LANGUAGE sql STABLE
        AS $function$
        SELECT jsonb_build_object(
            'version', quotakit.subject_context_version(p_subject_id),
            'plan', s.plan_key,
            'zone', s.time_zone,
            'anchor', (extract(epoch FROM s.billing_anchor) * 1000000)::bigint,
            'overrides', coalesce((
                SELECT jsonb_agg(jsonb_build_array(o.feature_key, o.limit_value, o.is_disabled, o.is_soft))
                FROM quotakit.subject_limit_overrides o WHERE o.subject_id = p_subject_id), '[]'::jsonb),
            'grants', coalesce((
                SELECT jsonb_agg(jsonb_build_array(g.feature_key, g.amount, (extract(epoch FROM g.valid_from) * 1000000)::bigint,
                    (extract(epoch FROM g.valid_until) * 1000000)::bigint, g.reason) ORDER BY g.id)
                FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id), '[]'::jsonb))
        FROM (SELECT 1) AS one LEFT JOIN quotakit.subjects s ON s.subject_id = p_subject_id
        $function$;

    CREATE FUNCTION quotakit.subject_new_version() RETURNS trigger
        LANGUAGE plpgsql
        AS $function$
    BEGIN
        NEW.context_version := nextval('quotakit.subject_context_versions');
        RETURN NEW;
    END;
    $function$;

    CREATE FUNCTION quotakit.subject_notify_change() RETURNS trigger
        LANGUAGE plpgsql
        AS $function$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('quotakit_subject_changed', OLD.subject_id);
        ELSE
            PERFORM pg_notify('quotakit_subject_changed', NEW.subject_id);
        END IF;
        RETURN NULL;
    END;
    $function$;

    -- An override or grant changes its subject: touching the subject's row gives it a new version and notifies.
    CREATE FUNCTION quotakit.subject_detail_changed() RETURNS trigger
        LANGUAGE plpgsql
        AS $function$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO quotakit.subjects AS s (subject_id, created_at, updated_at) VALUES (OLD.subject_id, now(), now())
            ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
        END IF;

        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO quotakit.subjects AS s (subject_id, created_at, updated_at) VALUES (NEW.subject_id, now(), now())
            ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
        END IF;

        RETURN NULL;
    END;
    $function$;

    CREATE TRIGGER subjects_new_version BEFORE INSERT OR UPDATE ON quotakit.subjects
        FOR EACH ROW EXECUTE FUNCTION quotakit.subject_new_version();
    CREATE TRIGGER subjects_notify_change AFTER INSERT OR UPDATE OR DELETE ON quotakit.subjects
        FOR EACH ROW EXECUTE FUNCTION quotakit.subject_notify_change();
    CREATE TRIGGER subject_limit_overrides_changed AFTER INSERT OR UPDATE OR DELETE ON quotakit.subject_limit_overrides
        FOR EACH ROW EXECUTE FUNCTION quotakit.subject_detail_changed();
    CREATE TRIGGER subject_grants_changed AFTER INSERT OR UPDATE OR DELETE ON quotakit.subject_grants
        FOR EACH ROW EXECUTE FUNCTION quotakit.subject_detail_changed();

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122081854_SchemaVersion3') THEN
    CREATE OR REPLACE FUNCTION quotakit.record_usage_v3(
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
        -- The limit and period were worked out from the subject's context at version p_subject_version (0: nothing stored,
        -- what QuotaKit guesses for a subject it has not cached). When the subject has another version now, write nothing,
        -- not even the idempotency key, and answer the current context instead, so that the caller can decide again
        -- without another round trip. NULL: not checked (the host resolves subjects itself).
        IF p_subject_version IS NOT NULL AND p_subject_version <> quotakit.subject_context_version(p_subject_id) THEN
            RETURN QUERY SELECT NULL::smallint, NULL::bigint, NULL::integer, NULL::integer, NULL::timestamptz,
                NULL::timestamptz, false, NULL::uuid, NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint,
                NULL::boolean, quotakit.subject_context(p_subject_id);
            RETURN;
        END IF;

        -- Otherwise exactly version 2's decision and write.
        RETURN QUERY SELECT r.outcome, r.used, r.alerted_before, r.alerted_after, r.period_start, r.period_end, r.is_replay,
            r.replay_call_id, r.replay_feature_key, r.replay_operation, r.replay_amount, r.replay_limit_kind,
            r.replay_limit_value, r.replay_limit_soft, NULL::jsonb
        FROM quotakit.record_usage_v2(p_subject_id, p_feature_key, p_period_start, p_period_end, p_operation, p_amount,
            p_limit, p_enforce, p_denied_outcome, p_limit_kind, p_limit_soft, p_thresholds, p_now, p_occurred_at,
            p_idempotency_key, p_metadata, p_record_event, p_call_id) AS r;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122081854_SchemaVersion3') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 3 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122081854_SchemaVersion3') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122081854_SchemaVersion3', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122094056_SchemaVersion4') THEN
    CREATE OR REPLACE FUNCTION quotakit.record_usage_batch(
        p_subject_ids text[], p_feature_keys text[], p_period_starts timestamptz[], p_period_ends timestamptz[],
        p_operations text[], p_amounts bigint[], p_limits bigint[], p_enforce boolean[], p_denied_outcomes smallint[],
        p_limit_kinds smallint[], p_limit_soft boolean[], p_thresholds integer[],
        p_now timestamptz[], p_occurred_at timestamptz[], p_idempotency_keys text[], p_metadata jsonb[],
        p_record_events boolean[], p_call_ids uuid[])
    RETURNS TABLE (
        item integer, outcome smallint, used bigint, alerted_before integer, alerted_after integer,
        period_start timestamptz, period_end timestamptz,
        is_replay boolean, replay_call_id uuid, replay_feature_key text, replay_operation text, replay_amount bigint,
        replay_limit_kind smallint, replay_limit_value bigint, replay_limit_soft boolean, error_code text)
    LANGUAGE plpgsql
    AS $function$
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
    BEGIN
        IF coalesce(cardinality(p_feature_keys), 0) <> n OR coalesce(cardinality(p_period_starts), 0) <> n
            OR coalesce(cardinality(p_period_ends), 0) <> n OR coalesce(cardinality(p_operations), 0) <> n
            OR coalesce(cardinality(p_amounts), 0) <> n OR coalesce(cardinality(p_limits), 0) <> n
            OR coalesce(cardinality(p_enforce), 0) <> n OR coalesce(cardinality(p_denied_outcomes), 0) <> n
            OR coalesce(cardinality(p_limit_kinds), 0) <> n OR coalesce(cardinality(p_limit_soft), 0) <> n
            OR (v_threshold_count > 0 AND array_length(p_thresholds, 1) <> n)
            OR coalesce(cardinality(p_now), 0) <> n OR coalesce(cardinality(p_occurred_at), 0) <> n
            OR coalesce(cardinality(p_idempotency_keys), 0) <> n OR coalesce(cardinality(p_metadata), 0) <> n
            OR coalesce(cardinality(p_record_events), 0) <> n OR coalesce(cardinality(p_call_ids), 0) <> n THEN
            RAISE EXCEPTION 'quotakit.record_usage_batch: every array must have one element per item (% items)', n
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
                END IF;

                -- Another period of the same subject and feature, or an item processed out of key order (a key's new first
                -- call): what it reads must be stored first.
                IF cardinality(v_p_subject) > 0 AND ((v_c_subject = p_subject_ids[i] AND v_c_feature = p_feature_keys[i])
                    OR v_pos > v_sorted_items + 1) THEN
                    UPDATE quotakit.usage_counters c
                    SET used = u.new_used, limit_value = u.new_limit, alerted_percent = u.new_alerted, period_end = u.new_end,
                        updated_at = u.new_updated
                    FROM unnest(v_p_subject, v_p_feature, v_p_start, v_p_used, v_p_limit, v_p_alerted, v_p_end, v_p_updated)
                        AS u(s, f, ps, new_used, new_limit, new_alerted, new_end, new_updated)
                    WHERE c.subject_id = u.s AND c.feature_key = u.f AND c.period_start = u.ps;
                    v_p_subject := '{}';
                    v_p_feature := '{}';
                    v_p_start := '{}';
                    v_p_used := '{}';
                    v_p_limit := '{}';
                    v_p_alerted := '{}';
                    v_p_end := '{}';
                    v_p_updated := '{}';
                END IF;
                v_c_subject := NULL;
                v_c_dirty := false;

                SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at
                INTO v_start, v_end, v_used, v_alerted, v_last_write
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
            IF NOT v_found AND p_enforce[i] AND p_operations[i] IN ('consume', 'increment') AND p_amounts[i] > p_limits[i] THEN
                -- Refused even on an empty counter: answered without creating the period's row.
                v_row := false;
                v_used := 0;
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

                SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at
                INTO v_start, v_end, v_used, v_alerted, v_last_write
                FROM quotakit.usage_counters c
                WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i]
                  AND c.period_start <= p_occurred_at[i] AND c.period_end > p_occurred_at[i]
                FOR UPDATE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'quotakit.record_usage_batch: period [%, %) of % / % overlaps a stored period', v_start,
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
            END IF;

            v_new_end := v_end;
            IF v_end <> p_period_ends[i] THEN
                SELECT min(c.period_start) INTO v_next_start
                FROM quotakit.usage_counters c
                WHERE c.subject_id = p_subject_ids[i] AND c.feature_key = p_feature_keys[i] AND c.period_start > v_start;
                v_new_end := least(p_period_ends[i], coalesce(v_next_start, p_period_ends[i]));
            END IF;

            IF p_enforce[i] AND v_used > p_limits[i] - p_amounts[i] THEN
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
                    RAISE EXCEPTION 'quotakit.record_usage_batch: unknown operation %', p_operations[i] USING ERRCODE = '22023';
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
        END IF;

        UPDATE quotakit.usage_counters c
        SET used = u.new_used, limit_value = u.new_limit, alerted_percent = u.new_alerted, period_end = u.new_end,
            updated_at = u.new_updated
        FROM unnest(v_p_subject, v_p_feature, v_p_start, v_p_used, v_p_limit, v_p_alerted, v_p_end, v_p_updated)
            AS u(s, f, ps, new_used, new_limit, new_alerted, new_end, new_updated)
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
                r_limit[g.i], r_soft[g.i], r_error[g.i]
            FROM generate_series(1, n) AS g(i)
            ORDER BY g.i;
    END;
    $function$;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122094056_SchemaVersion4') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 4 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122094056_SchemaVersion4') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122094056_SchemaVersion4', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    ALTER TABLE quotakit.usage_events DROP CONSTRAINT pk_usage_events;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    ALTER TABLE quotakit.subject_grants DROP CONSTRAINT pk_subject_grants;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    ALTER TABLE quotakit.usage_events ADD CONSTRAINT pk_usage_events PRIMARY KEY (subject_id, id);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    ALTER TABLE quotakit.subject_grants ADD CONSTRAINT pk_subject_grants PRIMARY KEY (subject_id, id);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    CREATE INDEX ix_usage_events_id ON quotakit.usage_events (id);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 5 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123433_SubjectIdLeadingKeys') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122123433_SubjectIdLeadingKeys', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
    -- The hot path from schema version 6 on: one PL/pgSQL function, no wrapper. It checks the subject's version (as
    -- record_usage_v3 did), gives back the counter's expired reservation holds (one index probe that finds nothing unless a
    -- hold of this subject and feature expired unsettled), then decides and writes exactly as record_usage_v2 does (its
    -- steps 1 to 7 are copied here unchanged, so version 2's SQL mutants apply to this text too).
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
    BEGIN
        -- 0. A write worked out from another version of the subject's context writes nothing (not even a released hold)
        --    and answers the current context, so that the caller decides again without another round trip.
        IF p_subject_version IS NOT NULL AND p_subject_version <> quotakit.subject_context_version(p_subject_id) THEN
            RETURN QUERY SELECT NULL::smallint, NULL::bigint, NULL::integer, NULL::integer, NULL::timestamptz,
                NULL::timestamptz, false, NULL::uuid, NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint,
                NULL::boolean, quotakit.subject_context(p_subject_id);
            RETURN;
        END IF;

        -- 0b. Holds of this counter that expired unsettled stop counting before anything is decided.
        IF EXISTS (SELECT 1 FROM quotakit.usage_holds h WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key
                   AND h.state = 'held' AND h.expires_at <= p_now) THEN
            PERFORM quotakit.release_expired_holds_v6(p_subject_id, p_feature_key, p_now);
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
                           NULL::jsonb
                    FROM quotakit.usage_events e
                    WHERE e.subject_id = p_subject_id AND e.idempotency_key = p_idempotency_key;
                RETURN;
            END IF;
        END IF;

        -- 2. Lock the counter whose period holds the usage instant: the latest period starting at or before it.
        SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at
        INTO v_start, v_end, v_used, v_alerted, v_last_write
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

        IF NOT v_found AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN
            -- Refused even on an empty counter: answer without creating the period's row.
            v_used := 0;
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

            SELECT c.period_start, c.period_end, c.used, c.alerted_percent INTO v_start, v_end, v_used, v_alerted
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
              AND c.period_start <= p_occurred_at AND c.period_end > p_occurred_at
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'quotakit.record_usage_v6: period [%, %) of % / % overlaps a stored period', v_start,
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
        --    near the largest bigint still answers "limit exceeded"; only a write that would pass it fails (22003).
        --    Only a write that applies moves the period's end; a refused one changes nothing.
        IF p_enforce AND v_used > p_limit - p_amount THEN
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
                RAISE EXCEPTION 'quotakit.record_usage_v6: unknown operation %', p_operation USING ERRCODE = '22023';
            END IF;

            v_new_alerted := v_alerted;
            IF p_limit > 0 THEN
                SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
                FROM unnest(p_thresholds) AS t
                WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
            END IF;

            UPDATE quotakit.usage_counters c
            SET used = v_new_used, limit_value = p_limit, alerted_percent = v_new_alerted, period_end = v_new_end,
                updated_at = p_now
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
            NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint, NULL::boolean, NULL::jsonb;
    END;
    $function$;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
    -- A consume of p_amount, exactly as record_usage_v6 decides it, that also stores a hold of those units with the id
    -- p_call_id until p_expires_at when it is granted. A replay (the same idempotency key) stores nothing and answers the
    -- first call, whose call id is the hold's id.
    CREATE OR REPLACE FUNCTION quotakit.reserve_usage_v6(
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
    -- An administrative reset that keeps history (IQuotaAdministration.ResetAsync): the counter holding p_at ends there,
    -- with its usage, and a new counter starts at p_at from zero and ends where the old one ended. History shows both;
    -- writes after p_at count in the new one (record_usage finds the latest period starting at or before their instant).
    -- Holds made before the reset stay with the counter they were made in (a commit settles there) and no longer count
    -- against the limit. Returns false when no counter holds p_at (nothing used this period).
    CREATE OR REPLACE FUNCTION quotakit.reset_counter_v6(p_subject_id text, p_feature_key text, p_at timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_start timestamptz;
        v_end timestamptz;
        v_limit bigint;
    BEGIN
        SELECT c.period_start, c.period_end, c.limit_value INTO v_start, v_end, v_limit
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start <= p_at
        ORDER BY c.period_start DESC
        LIMIT 1
        FOR UPDATE;
        IF NOT FOUND OR v_end <= p_at THEN
            RETURN false;
        END IF;

        IF v_start = p_at THEN
            -- Nothing can have been used before the instant the period starts: restart the row itself.
            UPDATE quotakit.usage_counters c SET used = 0, alerted_percent = 0, updated_at = p_at
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_start;
            RETURN true;
        END IF;

        UPDATE quotakit.usage_counters c SET period_end = p_at
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_start;
        INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value,
            alerted_percent, created_at, updated_at)
        VALUES (p_subject_id, p_feature_key, p_at, v_end, 0, v_limit, 0, p_at, p_at);
        RETURN true;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 6 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122123454_SchemaVersion6') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122123454_SchemaVersion6', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122143122_SchemaVersion7') THEN
    -- The hot path from schema version 7 on: record_usage_v6 with the subject's version read in this function. Version 6
    -- called quotakit.subject_context_version, a SQL function; PostgreSQL never inlines a SQL function whose body has
    -- sub-queries, so it parsed and planned that function again on every write (about 0.1 ms, a third of a whole write on
    -- the benchmark machine). A PL/pgSQL statement keeps its plan for the session. The answers are the same: the version
    -- stored in quotakit.subjects; without a row, 0, or -1 while overrides or grants remain (a row deleted by hand).
    -- Everything after the check is version 6's text unchanged (its release of expired holds, then version 2's steps 1 to
    -- 7), so the SQL mutants of versions 2 and 6 apply to this text too.
    CREATE OR REPLACE FUNCTION quotakit.record_usage_v7(
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
                    NULL::boolean, quotakit.subject_context(p_subject_id);
                RETURN;
            END IF;
        END IF;

        -- 0b. Holds of this counter that expired unsettled stop counting before anything is decided.
        IF EXISTS (SELECT 1 FROM quotakit.usage_holds h WHERE h.subject_id = p_subject_id AND h.feature_key = p_feature_key
                   AND h.state = 'held' AND h.expires_at <= p_now) THEN
            PERFORM quotakit.release_expired_holds_v6(p_subject_id, p_feature_key, p_now);
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
                           NULL::jsonb
                    FROM quotakit.usage_events e
                    WHERE e.subject_id = p_subject_id AND e.idempotency_key = p_idempotency_key;
                RETURN;
            END IF;
        END IF;

        -- 2. Lock the counter whose period holds the usage instant: the latest period starting at or before it.
        SELECT c.period_start, c.period_end, c.used, c.alerted_percent, c.updated_at
        INTO v_start, v_end, v_used, v_alerted, v_last_write
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

        IF NOT v_found AND p_enforce AND p_operation IN ('consume', 'increment') AND p_amount > p_limit THEN
            -- Refused even on an empty counter: answer without creating the period's row.
            v_used := 0;
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

            SELECT c.period_start, c.period_end, c.used, c.alerted_percent INTO v_start, v_end, v_used, v_alerted
            FROM quotakit.usage_counters c
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key
              AND c.period_start <= p_occurred_at AND c.period_end > p_occurred_at
            FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'quotakit.record_usage_v7: period [%, %) of % / % overlaps a stored period', v_start,
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
        --    near the largest bigint still answers "limit exceeded"; only a write that would pass it fails (22003).
        --    Only a write that applies moves the period's end; a refused one changes nothing.
        IF p_enforce AND v_used > p_limit - p_amount THEN
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
                RAISE EXCEPTION 'quotakit.record_usage_v7: unknown operation %', p_operation USING ERRCODE = '22023';
            END IF;

            v_new_alerted := v_alerted;
            IF p_limit > 0 THEN
                SELECT greatest(v_alerted, coalesce(max(t), 0)) INTO v_new_alerted
                FROM unnest(p_thresholds) AS t
                WHERE v_new_used::numeric * 100 >= t::numeric * p_limit;
            END IF;

            UPDATE quotakit.usage_counters c
            SET used = v_new_used, limit_value = p_limit, alerted_percent = v_new_alerted, period_end = v_new_end,
                updated_at = p_now
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
            NULL::text, NULL::text, NULL::bigint, NULL::smallint, NULL::bigint, NULL::boolean, NULL::jsonb;
    END;
    $function$;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122143122_SchemaVersion7') THEN
    -- Version 7's reservation: the same as reserve_usage_v6, over record_usage_v7. A consume of p_amount, exactly as
    -- record_usage_v7 decides it, that also stores a hold of those units with the id p_call_id until p_expires_at when it
    -- is granted. A replay (the same idempotency key) stores nothing and answers the first call, whose call id is the
    -- hold's id.
    CREATE OR REPLACE FUNCTION quotakit.reserve_usage_v7(
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
            RAISE EXCEPTION 'quotakit.reserve_usage_v7: a reservation consumes, not %', p_operation USING ERRCODE = '22023';
        END IF;

        SELECT * INTO r FROM quotakit.record_usage_v7(p_subject_id, p_feature_key, p_period_start, p_period_end,
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122143122_SchemaVersion7') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 7 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261122143122_SchemaVersion7') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261122143122_SchemaVersion7', '10.0.14');
    END IF;
END $EF$;
COMMIT;

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- Credit blocks (issue 15 part 3): balances of units of one feature of one subject, spent once, across periods, after
    -- the plan's allowance of a period is used up. A write burns what the plan cannot cover from the blocks usable at its
    -- instant (valid_from <= t < valid_until, not spent), in burn order: priority, then the block that ends first (NULL,
    -- never ends, last), then the oldest, then the id. Refunds, released and expired holds give units back to the blocks
    -- their period burned, in the exact reverse order.
    --
    -- Lock order, the same for every writer: a counter's expired hold rows, then its counter row, then its blocks in burn
    -- order (quotakit.burn_credit_blocks_v8 and quotakit.return_credit_blocks_v8 take them in that order).
    CREATE TABLE quotakit.credit_blocks (
        subject_id varchar(256) NOT NULL,
        id uuid NOT NULL,
        feature_key varchar(128) NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        burned bigint NOT NULL DEFAULT 0 CHECK (burned BETWEEN 0 AND amount),
        priority integer NOT NULL DEFAULT 0,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NULL CHECK (valid_until IS NULL OR valid_until > valid_from),
        source varchar(16) NOT NULL DEFAULT 'grant',
        reason varchar(256) NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_credit_blocks PRIMARY KEY (subject_id, id)
    );

    -- What every burn reads: the subject's unspent blocks of a feature, in burn order.
    CREATE INDEX ix_credit_blocks_burn ON quotakit.credit_blocks (subject_id, feature_key, priority, valid_until, created_at, id)
        WHERE burned < amount;

    -- What each period burned from each block, net of what was given back (history's burns; refunds give back from here).
    CREATE TABLE quotakit.credit_burns (
        subject_id varchar(256) NOT NULL,
        feature_key varchar(128) NOT NULL,
        period_start timestamptz NOT NULL,
        block_id uuid NOT NULL,
        units bigint NOT NULL CHECK (units >= 0),
        CONSTRAINT pk_credit_burns PRIMARY KEY (subject_id, feature_key, period_start, block_id)
    );

    -- How many of a period's `used` were drawn from blocks (the plan's share is used - blocks_burned).
    ALTER TABLE quotakit.usage_counters ADD COLUMN blocks_burned bigint NOT NULL DEFAULT 0;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- The units left in the blocks of one subject and feature usable at p_at (a plain read, no lock), saturating at the
    -- largest bigint. What a write answers as blocks_remaining, and what the refusal of a first request over the limit
    -- looks at before it creates no row.
    CREATE OR REPLACE FUNCTION quotakit.credit_blocks_usable_v8(p_subject_id text, p_feature_key text, p_at timestamptz)
    RETURNS bigint
    LANGUAGE sql STABLE
    AS $function$
        SELECT least(coalesce(sum(u.amount - u.burned), 0), 9223372036854775807)::bigint
        FROM quotakit.credit_blocks u
        WHERE u.subject_id = p_subject_id AND u.feature_key = p_feature_key AND u.burned < u.amount
          AND u.valid_from <= p_at AND (u.valid_until IS NULL OR u.valid_until > p_at);
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- Burns p_need units from the blocks of one subject and feature usable at p_at, in burn order, for the period starting
    -- at p_period_start (its credit burns); returns the units burned. All or nothing when p_all: when the blocks cannot
    -- cover p_need it burns nothing and returns 0 (a hard limit refuses). Otherwise it burns what they have, up to p_need.
    -- The caller holds the counter's row lock; the usable blocks are locked here, in burn order, before anything is read
    -- from them, so two writers always take them in the same order.
    CREATE OR REPLACE FUNCTION quotakit.burn_credit_blocks_v8(p_subject_id text, p_feature_key text, p_period_start timestamptz,
        p_at timestamptz, p_need bigint, p_all boolean)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_block record;
        v_ids uuid[] := '{}';
        v_remaining bigint[] := '{}';
        v_available numeric := 0;
        v_left bigint := p_need;
        v_take bigint;
        k integer;
    BEGIN
        IF p_need <= 0 THEN
            RETURN 0;
        END IF;

        FOR v_block IN
            SELECT b.id, b.amount - b.burned AS remaining
            FROM quotakit.credit_blocks b
            WHERE b.subject_id = p_subject_id AND b.feature_key = p_feature_key AND b.burned < b.amount
              AND b.valid_from <= p_at AND (b.valid_until IS NULL OR b.valid_until > p_at)
            ORDER BY b.priority, b.valid_until, b.created_at, b.id
            FOR UPDATE
        LOOP
            v_ids := v_ids || v_block.id;
            v_remaining := v_remaining || v_block.remaining;
            v_available := v_available + v_block.remaining;
        END LOOP;

        IF p_all AND v_available < p_need THEN
            RETURN 0;
        END IF;

        FOR k IN 1..cardinality(v_ids) LOOP
            EXIT WHEN v_left = 0;
            v_take := least(v_left, v_remaining[k]);
            UPDATE quotakit.credit_blocks b SET burned = b.burned + v_take
            WHERE b.subject_id = p_subject_id AND b.id = v_ids[k];
            INSERT INTO quotakit.credit_burns AS cb (subject_id, feature_key, period_start, block_id, units)
            VALUES (p_subject_id, p_feature_key, p_period_start, v_ids[k], v_take)
            ON CONFLICT (subject_id, feature_key, period_start, block_id) DO UPDATE SET units = cb.units + EXCLUDED.units;
            v_left := v_left - v_take;
        END LOOP;
        RETURN p_need - v_left;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- Gives back up to p_units to the blocks the period starting at p_period_start burned, the last in burn order first
    -- (the exact reverse of the burn order); returns the units given back. The blocks are locked in burn order first, as a
    -- burn locks them: writers of two periods of one feature share blocks. The caller holds the counter's row lock.
    CREATE OR REPLACE FUNCTION quotakit.return_credit_blocks_v8(p_subject_id text, p_feature_key text,
        p_period_start timestamptz, p_units bigint)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_burn record;
        v_left bigint := p_units;
        v_give bigint;
    BEGIN
        IF p_units <= 0 THEN
            RETURN 0;
        END IF;

        PERFORM 1 FROM quotakit.credit_blocks b
        WHERE b.subject_id = p_subject_id AND b.id IN (SELECT cb.block_id FROM quotakit.credit_burns cb
            WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start
              AND cb.units > 0)
        ORDER BY b.priority, b.valid_until, b.created_at, b.id
        FOR UPDATE;

        FOR v_burn IN
            SELECT cb.block_id, cb.units
            FROM quotakit.credit_burns cb
            JOIN quotakit.credit_blocks r ON r.subject_id = cb.subject_id AND r.id = cb.block_id
            WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start
              AND cb.units > 0
            ORDER BY r.priority DESC, r.valid_until DESC NULLS FIRST, r.created_at DESC, r.id DESC
        LOOP
            EXIT WHEN v_left = 0;
            v_give := least(v_left, v_burn.units);
            UPDATE quotakit.credit_blocks b SET burned = b.burned - v_give
            WHERE b.subject_id = p_subject_id AND b.id = v_burn.block_id;
            UPDATE quotakit.credit_burns cb SET units = cb.units - v_give
            WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start
              AND cb.block_id = v_burn.block_id;
            v_left := v_left - v_give;
        END LOOP;
        RETURN p_units - v_left;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- Rollover (issue 15 part 3): called by the write that creates a period's counter of a feature that rolls over. The
    -- stored period that ends exactly where the new one starts carries the plan's allowance it left unused (its stored
    -- limit minus the plan's part of its usage: units burned from blocks were not the plan's), at most p_cap (NULL: no
    -- cap), into a credit block of source 'rollover', usable from the new period's start until p_valid_until. No previous
    -- period, an unlimited one (limit NULL) or nothing unused: nothing. Returns the units carried. The previous period is
    -- closed, so it is read without a lock: what it held when the new period started is what carries over.
    CREATE OR REPLACE FUNCTION quotakit.roll_over_v8(p_subject_id text, p_feature_key text, p_period_start timestamptz,
        p_cap bigint, p_valid_until timestamptz, p_now timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_carried bigint;
    BEGIN
        SELECT least(greatest(c.limit_value - greatest(c.used - c.blocks_burned, 0), 0), coalesce(p_cap, 9223372036854775807))
        INTO v_carried
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_end = p_period_start;

        IF coalesce(v_carried, 0) <= 0 OR p_valid_until <= p_period_start THEN
            RETURN 0;
        END IF;

        INSERT INTO quotakit.credit_blocks (subject_id, id, feature_key, amount, burned, priority, valid_from, valid_until,
            source, reason, created_at)
        VALUES (p_subject_id, gen_random_uuid(), p_feature_key, v_carried, 0, 0, p_period_start, p_valid_until, 'rollover',
            NULL, p_now);
        RETURN v_carried;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
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
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
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
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
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

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    -- Version 8: reset_counter_v6 with credit blocks. The new counter starts with blocks_burned 0 (a new row has it by
    -- default); the old one keeps its own and its burns. When the period starts at the instant of the reset, the row itself
    -- restarts: its blocks_burned goes to 0 and its burns are forgotten, as its usage is (what the blocks burned stays
    -- burned: a reset gives nothing back).
    -- An administrative reset that keeps history (IQuotaAdministration.ResetAsync): the counter holding p_at ends there,
    -- with its usage, and a new counter starts at p_at from zero and ends where the old one ended. History shows both;
    -- writes after p_at count in the new one (record_usage finds the latest period starting at or before their instant).
    -- Holds made before the reset stay with the counter they were made in (a commit settles there) and no longer count
    -- against the limit. Returns false when no counter holds p_at (nothing used this period).
    CREATE OR REPLACE FUNCTION quotakit.reset_counter_v8(p_subject_id text, p_feature_key text, p_at timestamptz)
    RETURNS boolean
    LANGUAGE plpgsql
    AS $function$
    DECLARE
        v_start timestamptz;
        v_end timestamptz;
        v_limit bigint;
    BEGIN
        SELECT c.period_start, c.period_end, c.limit_value INTO v_start, v_end, v_limit
        FROM quotakit.usage_counters c
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start <= p_at
        ORDER BY c.period_start DESC
        LIMIT 1
        FOR UPDATE;
        IF NOT FOUND OR v_end <= p_at THEN
            RETURN false;
        END IF;

        IF v_start = p_at THEN
            -- Nothing can have been used before the instant the period starts: restart the row itself.
            UPDATE quotakit.usage_counters c SET used = 0, alerted_percent = 0, updated_at = p_at, blocks_burned = 0
            WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_start;
            DELETE FROM quotakit.credit_burns cb
            WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = v_start;
            RETURN true;
        END IF;

        UPDATE quotakit.usage_counters c SET period_end = p_at
        WHERE c.subject_id = p_subject_id AND c.feature_key = p_feature_key AND c.period_start = v_start;
        INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value,
            alerted_percent, created_at, updated_at)
        VALUES (p_subject_id, p_feature_key, p_at, v_end, 0, v_limit, 0, p_at, p_at);
        RETURN true;
    END;
    $function$;

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT 8 $$;
    COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';

    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM quotakit.__quotakit_migrations WHERE "MigrationId" = '20261207230112_SchemaVersion8') THEN
    INSERT INTO quotakit.__quotakit_migrations ("MigrationId", "ProductVersion")
    VALUES ('20261207230112_SchemaVersion8', '10.0.14');
    END IF;
END $EF$;
COMMIT;

