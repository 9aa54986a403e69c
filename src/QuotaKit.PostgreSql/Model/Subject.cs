using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>A subject's quota profile stored by QuotaKit: its plan, billing anchor and time zone.</summary>
public sealed class Subject
{
    /// <summary>The subject's id.</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The plan's key; <c>null</c> means the configured default plan.</summary>
    public string? PlanKey { get; set; }

    /// <summary>The instant billing cycles are anchored on (usually the subscription start).</summary>
    public Instant? BillingAnchor { get; set; }

    /// <summary>IANA time zone id for calendar periods; <c>null</c> means the feature's zone, else UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>When the row was created.</summary>
    public Instant CreatedAt { get; set; }

    /// <summary>When the row last changed.</summary>
    public Instant UpdatedAt { get; set; }

    /// <summary>
    /// Raised by the database (triggers of schema version 3) on every change to the subject's plan, zone, anchor,
    /// overrides or grants; QuotaKit's writes verify it (see <see cref="SubjectContext.Version"/>). Never set it yourself.
    /// </summary>
    public long ContextVersion { get; set; }
}
