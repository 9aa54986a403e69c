using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Usage of one feature by one subject in one period <c>[PeriodStart, PeriodEnd)</c>. The row is the period: a new
/// period is a new row, so nothing ever resets counters and past periods stay as history.
/// </summary>
public sealed class UsageCounter
{
    /// <summary>Who the usage belongs to (user, org, tenant, API key).</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The feature's key.</summary>
    public string FeatureKey { get; set; } = "";

    /// <summary>First instant of the period (inclusive).</summary>
    public Instant PeriodStart { get; set; }

    /// <summary>End of the period (exclusive).</summary>
    public Instant PeriodEnd { get; set; }

    /// <summary>Units used in the period (counters), or the gauge's value.</summary>
    public long Used { get; set; }

    /// <summary>The limit in force at the last write; <c>null</c> when unlimited.</summary>
    public long? LimitValue { get; set; }

    /// <summary>The highest alert threshold (percent of the limit) already reported for this period; 0 when none.</summary>
    public int AlertedPercent { get; set; }

    /// <summary>When the row was created.</summary>
    public Instant CreatedAt { get; set; }

    /// <summary>When <see cref="Used"/> last changed.</summary>
    public Instant UpdatedAt { get; set; }
}
