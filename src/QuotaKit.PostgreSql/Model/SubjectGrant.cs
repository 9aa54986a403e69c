using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>Extra units of one feature for one subject, added to the limit while the grant is valid.</summary>
public sealed class SubjectGrant
{
    /// <summary>Database-generated id.</summary>
    public long Id { get; set; }

    /// <summary>The subject's id.</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The feature's key.</summary>
    public string FeatureKey { get; set; } = "";

    /// <summary>Units added to the limit (positive).</summary>
    public long Amount { get; set; }

    /// <summary>First instant the grant counts (inclusive).</summary>
    public Instant ValidFrom { get; set; }

    /// <summary>End of validity (exclusive).</summary>
    public Instant ValidUntil { get; set; }

    /// <summary>Optional note, e.g. "support credit".</summary>
    public string? Reason { get; set; }

    /// <summary>When the grant was created.</summary>
    public Instant CreatedAt { get; set; }
}
