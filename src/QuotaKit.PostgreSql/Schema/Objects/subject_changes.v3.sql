-- Schema version 3: subject context versions and change notifications.
-- Every change to what decides a subject's limits and periods (its plan, zone and anchor in quotakit.subjects, its
-- overrides, its grants) gives the subject a new quotakit.subjects.context_version, taken from one sequence so that a
-- version is never reused, and notifies the channel quotakit_subject_changed with the subject id at commit. A write
-- worked out from an older context is refused by record_usage_v3; every listening instance evicts its cached copy.
-- Triggers, so that changes made outside QuotaKit (a SQL console, the host's own code) count too.
CREATE SEQUENCE quotakit.subject_context_versions AS bigint;

-- Version 0 means "nothing is stored for this subject", which is what QuotaKit guesses for a subject it has not
-- cached: give every existing subject a real version, and a row to every subject known only by overrides or grants.
UPDATE quotakit.subjects SET context_version = nextval('quotakit.subject_context_versions');
INSERT INTO quotakit.subjects (subject_id, created_at, updated_at, context_version)
SELECT k.subject_id, now(), now(), nextval('quotakit.subject_context_versions')
FROM (SELECT subject_id FROM quotakit.subject_limit_overrides UNION SELECT subject_id FROM quotakit.subject_grants) AS k
ON CONFLICT (subject_id) DO NOTHING;

-- The version a write is checked against and a read returns. A subject row deleted while overrides or grants remain
-- (only by hand) reads as -1, never as 0.
CREATE FUNCTION quotakit.subject_context_version(p_subject_id text) RETURNS bigint
    LANGUAGE sql STABLE
    AS $function$
    SELECT coalesce(
        (SELECT s.context_version FROM quotakit.subjects s WHERE s.subject_id = p_subject_id),
        CASE WHEN EXISTS (SELECT 1 FROM quotakit.subject_limit_overrides o WHERE o.subject_id = p_subject_id)
               OR EXISTS (SELECT 1 FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id)
             THEN -1 ELSE 0 END)
    $function$;

-- The whole context as JSON, with its version, read in one statement (one snapshot), so the version always belongs to
-- the rest. Instants are microseconds since the Unix epoch; grants are in the order they were added.
CREATE FUNCTION quotakit.subject_context(p_subject_id text) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $function$
    SELECT jsonb_build_object(
        'version', quotakit.subject_context_version(p_subject_id),
        'plan', s.plan_key,
        'zone', s.time_zone,
        'anchor', (extract(epoch FROM s.billing_anchor) * 1000000)::bigint,
        'overrides', coalesce((
            SELECT jsonb_agg(jsonb_build_array(o.feature_key, o.limit_value, o.is_disabled, o.is_soft))
            FROM quotakit.subject_limit_overrides o WHERE o.subject_id = p_subject_id), '[]'::jsonb),
        'grants', coalesce((
            SELECT jsonb_agg(jsonb_build_array(g.feature_key, g.amount, (extract(epoch FROM g.valid_from) * 1000000)::bigint,
                (extract(epoch FROM g.valid_until) * 1000000)::bigint, g.reason) ORDER BY g.id)
            FROM quotakit.subject_grants g WHERE g.subject_id = p_subject_id), '[]'::jsonb))
    FROM (SELECT 1) AS one LEFT JOIN quotakit.subjects s ON s.subject_id = p_subject_id
    $function$;

CREATE FUNCTION quotakit.subject_new_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $function$
BEGIN
    NEW.context_version := nextval('quotakit.subject_context_versions');
    RETURN NEW;
END;
$function$;

CREATE FUNCTION quotakit.subject_notify_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $function$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('quotakit_subject_changed', OLD.subject_id);
    ELSE
        PERFORM pg_notify('quotakit_subject_changed', NEW.subject_id);
    END IF;
    RETURN NULL;
END;
$function$;

-- An override or grant changes its subject: touching the subject's row gives it a new version and notifies.
CREATE FUNCTION quotakit.subject_detail_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $function$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO quotakit.subjects AS s (subject_id, created_at, updated_at) VALUES (OLD.subject_id, now(), now())
        ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
    END IF;

    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO quotakit.subjects AS s (subject_id, created_at, updated_at) VALUES (NEW.subject_id, now(), now())
        ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
    END IF;

    RETURN NULL;
END;
$function$;

CREATE TRIGGER subjects_new_version BEFORE INSERT OR UPDATE ON quotakit.subjects
    FOR EACH ROW EXECUTE FUNCTION quotakit.subject_new_version();
CREATE TRIGGER subjects_notify_change AFTER INSERT OR UPDATE OR DELETE ON quotakit.subjects
    FOR EACH ROW EXECUTE FUNCTION quotakit.subject_notify_change();
CREATE TRIGGER subject_limit_overrides_changed AFTER INSERT OR UPDATE OR DELETE ON quotakit.subject_limit_overrides
    FOR EACH ROW EXECUTE FUNCTION quotakit.subject_detail_changed();
CREATE TRIGGER subject_grants_changed AFTER INSERT OR UPDATE OR DELETE ON quotakit.subject_grants
    FOR EACH ROW EXECUTE FUNCTION quotakit.subject_detail_changed();
