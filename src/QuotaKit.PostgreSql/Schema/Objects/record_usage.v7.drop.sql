DROP FUNCTION IF EXISTS quotakit.reserve_usage_v7(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz);
DROP FUNCTION IF EXISTS quotakit.record_usage_v7(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint);
