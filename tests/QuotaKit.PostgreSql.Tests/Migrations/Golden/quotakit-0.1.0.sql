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

