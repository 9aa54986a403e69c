-- QuotaKit least-privilege runtime role. Run as the migration role (the owner of schema quotakit) after migrating.
-- The application connects as quotakit_runtime: it reads and writes QuotaKit's rows and calls record_usage, and can
-- change nothing in the schema (no CREATE, ALTER, DROP, TRUNCATE). Rename the roles to suit; keep the grants.
--
--   CREATE ROLE quotakit_runtime LOGIN PASSWORD '...';   -- once, by an administrator
--   psql -v ON_ERROR_STOP=1 -f runtime-role.sql          -- as the migration role, after every migration

GRANT USAGE ON SCHEMA quotakit TO quotakit_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA quotakit TO quotakit_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA quotakit TO quotakit_runtime;
-- Version 1 (0.1.0 instances during a rolling upgrade), version 2 and version 3 (0.2.0) of the hot-path function, the
-- subject version it checks, and the schema version the start-up check and the health check read. The triggers of
-- version 3 run as the role that changes a subject: they need the table and sequence grants above.
GRANT EXECUTE ON FUNCTION quotakit.record_usage(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.record_usage_v2(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.record_usage_v3(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.subject_context_version(text) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.subject_context(text) TO quotakit_runtime;
-- Version 4: the batched write (batched metering, coalesced writes).
GRANT EXECUTE ON FUNCTION quotakit.record_usage_batch(text[], text[], timestamptz[], timestamptz[], text[], bigint[],
    bigint[], boolean[], smallint[], smallint[], boolean[], integer[], timestamptz[], timestamptz[], text[], jsonb[],
    boolean[], uuid[]) TO quotakit_runtime;
-- Version 6: reservations (the hot path is record_usage_v6 from this version on) and the administrative reset.
GRANT EXECUTE ON FUNCTION quotakit.record_usage_v6(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.reserve_usage_v6(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz)
    TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.settle_hold_v6(text, text, uuid, boolean, bigint, bigint, integer[], timestamptz)
    TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.release_expired_holds_v6(text, text, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.release_expired_holds_batch_v6(text[], text[], timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.reset_counter_v6(text, text, timestamptz) TO quotakit_runtime;
-- Version 7: the hot path is record_usage_v7 (and reserve_usage_v7) from this version on.
GRANT EXECUTE ON FUNCTION quotakit.record_usage_v7(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.reserve_usage_v7(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz)
    TO quotakit_runtime;
-- Version 8: credit blocks (the hot path is record_usage_v8, batches record_usage_batch_v8, from this version on). The
-- tables credit_blocks and credit_burns get the table grants above.
GRANT EXECUTE ON FUNCTION quotakit.record_usage_v8(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, bigint, timestamptz)
    TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.reserve_usage_v8(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean,
    smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean, uuid, bigint, timestamptz,
    bigint, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.record_usage_batch_v8(text[], text[], timestamptz[], timestamptz[], text[], bigint[],
    bigint[], boolean[], smallint[], smallint[], boolean[], integer[], timestamptz[], timestamptz[], text[], jsonb[],
    boolean[], uuid[], bigint[], timestamptz[]) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.roll_over_v8(text, text, timestamptz, bigint, timestamptz, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.settle_hold_v8(text, text, uuid, boolean, bigint, bigint, integer[], timestamptz, smallint)
    TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.release_expired_holds_v8(text, text, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.release_expired_holds_batch_v8(text[], text[], timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.reset_counter_v8(text, text, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.burn_credit_blocks_v8(text, text, timestamptz, timestamptz, bigint, boolean) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.return_credit_blocks_v8(text, text, timestamptz, bigint) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.credit_blocks_usable_v8(text, text, timestamptz) TO quotakit_runtime;
GRANT EXECUTE ON FUNCTION quotakit.schema_version() TO quotakit_runtime;
-- The migrations-history table is read by the runtime only if it calls GetPendingMigrationsAsync; writing it is the
-- migration role's job.
REVOKE INSERT, UPDATE, DELETE ON quotakit.__quotakit_migrations FROM quotakit_runtime;
-- Tables and sequences added by later QuotaKit migrations get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA quotakit GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO quotakit_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA quotakit GRANT USAGE, SELECT ON SEQUENCES TO quotakit_runtime;
