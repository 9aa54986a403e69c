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
