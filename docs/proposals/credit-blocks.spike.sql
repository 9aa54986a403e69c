-- Spike (not shipped): credit blocks for schema version 8, see docs/proposals/credit-blocks.md.
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
    CONSTRAINT pk_credit_blocks PRIMARY KEY (subject_id, id));
CREATE INDEX ix_credit_blocks_burn ON quotakit.credit_blocks (subject_id, feature_key, priority, valid_until, created_at, id)
    WHERE burned < amount;
CREATE TABLE quotakit.credit_burns (
    subject_id varchar(256) NOT NULL,
    feature_key varchar(128) NOT NULL,
    period_start timestamptz NOT NULL,
    block_id uuid NOT NULL,
    units bigint NOT NULL CHECK (units >= 0),
    CONSTRAINT pk_credit_burns PRIMARY KEY (subject_id, feature_key, period_start, block_id));
ALTER TABLE quotakit.usage_counters ADD COLUMN blocks_burned bigint NOT NULL DEFAULT 0;

-- Burns p_need units from the usable blocks in burn order. All or nothing when p_all: answers 0 and burns nothing when
-- the blocks cannot cover p_need. Caller holds the counter's row lock.
CREATE FUNCTION quotakit.burn_credit_blocks_v8(p_subject_id text, p_feature_key text, p_period_start timestamptz,
    p_at timestamptz, p_need bigint, p_all boolean) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
    v_block record;
    v_left bigint := p_need;
    v_take bigint;
    v_available bigint := 0;
BEGIN
    FOR v_block IN
        SELECT b.id, b.amount - b.burned AS remaining FROM quotakit.credit_blocks b
        WHERE b.subject_id = p_subject_id AND b.feature_key = p_feature_key AND b.burned < b.amount
          AND b.valid_from <= p_at AND (b.valid_until IS NULL OR b.valid_until > p_at)
        ORDER BY b.priority, b.valid_until, b.created_at, b.id
        FOR UPDATE
    LOOP
        v_available := v_available + v_block.remaining;
    END LOOP;
    IF p_all AND v_available < p_need THEN
        RETURN 0;
    END IF;

    FOR v_block IN
        SELECT b.id, b.amount - b.burned AS remaining FROM quotakit.credit_blocks b
        WHERE b.subject_id = p_subject_id AND b.feature_key = p_feature_key AND b.burned < b.amount
          AND b.valid_from <= p_at AND (b.valid_until IS NULL OR b.valid_until > p_at)
        ORDER BY b.priority, b.valid_until, b.created_at, b.id
    LOOP
        EXIT WHEN v_left = 0;
        v_take := least(v_left, v_block.remaining);
        UPDATE quotakit.credit_blocks b SET burned = b.burned + v_take WHERE b.subject_id = p_subject_id AND b.id = v_block.id;
        INSERT INTO quotakit.credit_burns AS cb (subject_id, feature_key, period_start, block_id, units)
        VALUES (p_subject_id, p_feature_key, p_period_start, v_block.id, v_take)
        ON CONFLICT (subject_id, feature_key, period_start, block_id) DO UPDATE SET units = cb.units + EXCLUDED.units;
        v_left := v_left - v_take;
    END LOOP;
    RETURN p_need - v_left;
END $f$;

-- Gives back up to p_units to the blocks this period burned, the last in burn order first. Locks them in burn order
-- first (the same order as a burn: writers of two periods of one feature share blocks).
CREATE FUNCTION quotakit.return_credit_blocks_v8(p_subject_id text, p_feature_key text, p_period_start timestamptz,
    p_units bigint) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
    v_burn record;
    v_left bigint := p_units;
    v_give bigint;
BEGIN
    PERFORM 1 FROM quotakit.credit_blocks b
    WHERE b.subject_id = p_subject_id AND b.id IN (SELECT cb.block_id FROM quotakit.credit_burns cb
        WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start AND cb.units > 0)
    ORDER BY b.priority, b.valid_until, b.created_at, b.id
    FOR UPDATE;

    FOR v_burn IN
        SELECT cb.block_id, cb.units FROM quotakit.credit_burns cb
        JOIN quotakit.credit_blocks b ON b.subject_id = cb.subject_id AND b.id = cb.block_id
        WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start AND cb.units > 0
        ORDER BY b.priority DESC, b.valid_until DESC NULLS FIRST, b.created_at DESC, b.id DESC
    LOOP
        EXIT WHEN v_left = 0;
        v_give := least(v_left, v_burn.units);
        UPDATE quotakit.credit_blocks b SET burned = b.burned - v_give WHERE b.subject_id = p_subject_id AND b.id = v_burn.block_id;
        UPDATE quotakit.credit_burns cb SET units = cb.units - v_give
        WHERE cb.subject_id = p_subject_id AND cb.feature_key = p_feature_key AND cb.period_start = p_period_start
          AND cb.block_id = v_burn.block_id;
        v_left := v_left - v_give;
    END LOOP;
    RETURN p_units - v_left;
END $f$;
