namespace QuotaKit.PostgreSql;

/// <summary>Settings of QuotaKit's PostgreSQL store.</summary>
public sealed class QuotaKitPostgreSqlOptions
{
    /// <summary>
    /// Apply QuotaKit's migrations when the host starts (an <c>IHostedService</c>). Off by default: many teams apply
    /// migrations in a deployment step instead. Safe with many instances starting at once (an advisory lock serialises them).
    /// </summary>
    public bool ApplyMigrationsAtStartup { get; set; }

    /// <summary>
    /// Check when the host starts that the database has the schema version this QuotaKit needs, and fail the start with
    /// <see cref="QuotaKitSchemaVersionException"/> if not (after applying migrations, when that is on). On by default;
    /// turn it off only when the database cannot be reached at start-up by design.
    /// </summary>
    public bool VerifySchemaAtStartup { get; set; } = true;

    /// <summary>
    /// Write every usage call to the <c>usage_events</c> ledger (audit, recount). Off by default; calls with an
    /// idempotency key or metadata are always recorded.
    /// </summary>
    public bool RecordAllEvents { get; set; }

    /// <summary>
    /// Listen for subject changes (<c>LISTEN quotakit_subject_changed</c>, on one dedicated connection) while the host
    /// runs, so that a plan, zone, anchor, override or grant changed by any instance or by hand in SQL evicts this
    /// instance's cached copy within milliseconds, and subjects can be cached for
    /// <see cref="QuotaKitOptions.PushedSubjectCacheDuration"/>. On by default. The listener reconnects after a failure;
    /// while it is down, subjects are cached for <see cref="QuotaKitOptions.SubjectCacheDuration"/> only. Runs as an
    /// <c>IHostedService</c>: without a generic host nothing listens (see docs/concepts.md, "The subject cache").
    /// </summary>
    public bool ListenForSubjectChanges { get; set; } = true;
}
