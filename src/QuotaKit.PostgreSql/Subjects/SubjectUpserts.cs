namespace QuotaKit.PostgreSql;

/// <summary>One upsert per subject column, written out in full so no identifier is ever spliced into SQL text.</summary>
internal static class SubjectUpserts
{
    public const string PlanKey =
        """
        INSERT INTO quotakit.subjects (subject_id, created_at, updated_at, plan_key) VALUES ($1, $2, $2, $3)
        ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, plan_key = EXCLUDED.plan_key
        """;

    public const string TimeZone =
        """
        INSERT INTO quotakit.subjects (subject_id, created_at, updated_at, time_zone) VALUES ($1, $2, $2, $3)
        ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, time_zone = EXCLUDED.time_zone
        """;

    public const string BillingAnchor =
        """
        INSERT INTO quotakit.subjects (subject_id, created_at, updated_at, billing_anchor) VALUES ($1, $2, $2, $3)
        ON CONFLICT (subject_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, billing_anchor = EXCLUDED.billing_anchor
        """;
}
