DROP FUNCTION IF EXISTS quotakit.reset_counter_v6(text, text, timestamptz);
DROP FUNCTION IF EXISTS quotakit.settle_hold_v6(text, text, uuid, boolean, bigint, bigint, integer[], timestamptz);
DROP FUNCTION IF EXISTS quotakit.reserve_usage_v6(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz);
DROP FUNCTION IF EXISTS quotakit.record_usage_v6(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint);
DROP FUNCTION IF EXISTS quotakit.release_expired_holds_batch_v6(text[], text[], timestamptz);
DROP FUNCTION IF EXISTS quotakit.release_expired_holds_v6(text, text, timestamptz);
DROP TABLE IF EXISTS quotakit.usage_holds;
