DROP TRIGGER IF EXISTS subject_grants_changed ON quotakit.subject_grants;
DROP TRIGGER IF EXISTS subject_limit_overrides_changed ON quotakit.subject_limit_overrides;
DROP TRIGGER IF EXISTS subjects_notify_change ON quotakit.subjects;
DROP TRIGGER IF EXISTS subjects_new_version ON quotakit.subjects;
DROP FUNCTION IF EXISTS quotakit.subject_detail_changed();
DROP FUNCTION IF EXISTS quotakit.subject_notify_change();
DROP FUNCTION IF EXISTS quotakit.subject_new_version();
DROP FUNCTION IF EXISTS quotakit.subject_context_version(text);
DROP SEQUENCE IF EXISTS quotakit.subject_context_versions;
