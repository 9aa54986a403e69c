using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>
/// One recorded usage call (the ledger): what was asked, when, and the decision given. Events with an idempotency key
/// let a retried call return the first call's decision without applying anything twice.
/// </summary>
public sealed class UsageEvent
{
    /// <summary>Database-generated id.</summary>
    public long Id { get; set; }

    /// <summary>Who the usage belongs to.</summary>
    public string SubjectId { get; set; } = "";

    /// <summary>The feature's key.</summary>
    public string FeatureKey { get; set; } = "";

    /// <summary>What the call did: <c>consume</c>, <c>increment</c>, <c>refund</c>, <c>set</c> or <c>raise</c>.</summary>
    public string Operation { get; set; } = "";

    /// <summary>The amount asked for (for gauges, the value set).</summary>
    public long Amount { get; set; }

    /// <summary>When the usage happened (it picks the period).</summary>
    public Instant OccurredAt { get; set; }

    /// <summary>First instant of the period the usage counted in.</summary>
    public Instant PeriodStart { get; set; }

    /// <summary>End (exclusive) of the period the usage counted in.</summary>
    public Instant PeriodEnd { get; set; }

    /// <summary>The caller's idempotency key, unique per subject; <c>null</c> when none was given.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// The id of the tracker call that recorded the event (schema version 2 on; <c>null</c> before). A retry of the same
    /// call carries the same id, so a replay found by the tracker's own retry is not reported as the caller's replay.
    /// </summary>
    public Guid? CallId { get; set; }

    /// <summary>Optional caller metadata, stored as <c>jsonb</c>.</summary>
    public string? Metadata { get; set; }

    /// <summary>The decision: 0 allowed, 1 denied by the limit, 2 denied because the feature is disabled
    /// (<see cref="UsageOutcome"/>).</summary>
    public short Outcome { get; set; }

    /// <summary>The counter's value right after the call.</summary>
    public long UsedAfter { get; set; }

    /// <summary>The kind of limit in force for the call (<see cref="QuotaKit.LimitKind"/>).</summary>
    public short LimitKind { get; set; }

    /// <summary>The limit in force for the call; <c>null</c> when unlimited.</summary>
    public long? LimitValue { get; set; }

    /// <summary>Whether the limit in force was soft.</summary>
    public bool LimitSoft { get; set; }

    /// <summary>When the event was written.</summary>
    public Instant RecordedAt { get; set; }
}
