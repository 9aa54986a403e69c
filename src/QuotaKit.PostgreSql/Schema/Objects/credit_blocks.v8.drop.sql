DROP FUNCTION IF EXISTS quotakit.reset_counter_v8(text, text, timestamptz);
DROP FUNCTION IF EXISTS quotakit.settle_hold_v8(text, text, uuid, boolean, bigint, bigint, integer[], timestamptz, smallint);
DROP FUNCTION IF EXISTS quotakit.record_usage_batch_v8(text[], text[], timestamptz[], timestamptz[], text[], bigint[],
    bigint[], boolean[], smallint[], smallint[], boolean[], integer[], timestamptz[], timestamptz[], text[], jsonb[],
    boolean[], uuid[], bigint[], timestamptz[]);
DROP FUNCTION IF EXISTS quotakit.reserve_usage_v8(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz, bigint,
    timestamptz);
DROP FUNCTION IF EXISTS quotakit.record_usage_v8(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, bigint, timestamptz);
DROP FUNCTION IF EXISTS quotakit.roll_over_v8(text, text, timestamptz, bigint, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS quotakit.release_expired_holds_batch_v8(text[], text[], timestamptz);
DROP FUNCTION IF EXISTS quotakit.release_expired_holds_v8(text, text, timestamptz);
DROP FUNCTION IF EXISTS quotakit.return_credit_blocks_v8(text, text, timestamptz, bigint);
DROP FUNCTION IF EXISTS quotakit.burn_credit_blocks_v8(text, text, timestamptz, timestamptz, bigint, boolean);
DROP FUNCTION IF EXISTS quotakit.credit_blocks_usable_v8(text, text, timestamptz);
ALTER TABLE quotakit.usage_counters DROP COLUMN IF EXISTS blocks_burned;
DROP TABLE IF EXISTS quotakit.credit_burns;
DROP TABLE IF EXISTS quotakit.credit_blocks;
