namespace QuotaKit.PostgreSql;

/// <summary>Names of QuotaKit's database objects. They are fixed by the shipped migrations.</summary>
public static class QuotaKitSchema
{
    /// <summary>The PostgreSQL schema holding every QuotaKit table.</summary>
    public const string Name = "quotakit";

    /// <summary>QuotaKit's own migrations-history table (in <see cref="Name"/>), separate from the host's.</summary>
    public const string MigrationsHistoryTable = "__quotakit_migrations";

    /// <summary>Usage counters: one row per subject, feature and period.</summary>
    public const string UsageCounters = "usage_counters";

    /// <summary>The usage-event ledger.</summary>
    public const string UsageEvents = "usage_events";

    /// <summary>Subjects' plans, billing anchors and time zones.</summary>
    public const string Subjects = "subjects";

    /// <summary>Per-subject limit overrides.</summary>
    public const string SubjectLimitOverrides = "subject_limit_overrides";

    /// <summary>Per-subject grants of extra units with a validity window.</summary>
    public const string SubjectGrants = "subject_grants";

    /// <summary>Longest subject id accepted.</summary>
    public const int SubjectIdMaxLength = 256;

    /// <summary>Longest feature key accepted.</summary>
    public const int FeatureKeyMaxLength = 100;

    /// <summary>Longest idempotency key accepted.</summary>
    public const int IdempotencyKeyMaxLength = 200;
}
