DROP FUNCTION IF EXISTS quotakit.record_usage_v3(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint);
