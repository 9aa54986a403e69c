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
