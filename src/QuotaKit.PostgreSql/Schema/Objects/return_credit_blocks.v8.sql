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
