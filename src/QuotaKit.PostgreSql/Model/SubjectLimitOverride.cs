using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>A per-subject replacement of the plan's limit for one feature.</summary>
public sealed class SubjectLimitOverride
{
    /// <summary>The subject's id.</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The feature's key.</summary>
    public string FeatureKey { get; set; } = "";

    /// <summary>The limit; <c>null</c> means unlimited (ignored when <see cref="IsDisabled"/>).</summary>
    public long? LimitValue { get; set; }

    /// <summary>Whether the feature is disabled for the subject.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>Whether the limit is soft (alert only, never refuse).</summary>
    public bool IsSoft { get; set; }

    /// <summary>When the row was created.</summary>
    public Instant CreatedAt { get; set; }

    /// <summary>When the row last changed.</summary>
    public Instant UpdatedAt { get; set; }
}
