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
    /// Write every usage call to the <c>usage_events</c> ledger (audit, recount). Off by default; calls with an
    /// idempotency key or metadata are always recorded.
    /// </summary>
    public bool RecordAllEvents { get; set; }
}
