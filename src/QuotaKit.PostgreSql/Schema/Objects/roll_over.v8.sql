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
