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
