ALTER TABLE quotakit.usage_counters
    ADD CONSTRAINT ex_usage_counters_no_overlap
    EXCLUDE USING gist (subject_id WITH =, feature_key WITH =, tstzrange(period_start, period_end, '[)') WITH &&);