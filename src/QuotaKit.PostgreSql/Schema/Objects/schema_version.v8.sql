CREATE OR REPLACE FUNCTION quotakit.schema_version() RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT 8 $$;
COMMENT ON FUNCTION quotakit.schema_version() IS 'The version of QuotaKit''s database objects (see docs/architecture.md). Version 1 (QuotaKit 0.1.0) has no such function.';
