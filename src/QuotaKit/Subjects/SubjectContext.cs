using NodaTime;

namespace QuotaKit;

/// <summary>What QuotaKit needs to know about a subject: its plan, time zone, billing anchor, overrides and grants.</summary>
public sealed record SubjectContext
{
    /// <summary>A subject with no plan (the configured default plan applies), UTC and no anchor.</summary>
    public static SubjectContext Default { get; } = new();

    /// <summary>The plan's key; <c>null</c> means <see cref="QuotaKitOptions.DefaultPlan"/>.</summary>
    public string? PlanKey { get; init; }

    /// <summary>The subject's time zone for calendar periods; <c>null</c> means the feature's zone, else UTC.</summary>
    public DateTimeZone? TimeZone { get; init; }

    /// <summary>The instant billing cycles and lifetime allowances are anchored on (usually the subscription start).</summary>
    public Instant? BillingAnchor { get; init; }

    /// <summary>Per-feature limits replacing the plan's for this subject.</summary>
    public IReadOnlyDictionary<string, FeatureLimit> Overrides { get; init; } = new Dictionary<string, FeatureLimit>();

    /// <summary>Grants of extra units.</summary>
    public IReadOnlyList<UsageGrant> Grants { get; init; } = [];

    /// <summary>
    /// The version of this context in a store that keeps one (every change to the subject's plan, zone, anchor, overrides
    /// or grants raises it; 0 for a subject with nothing stored). A write made with a context the store no longer holds
    /// is refused by the store before anything is written, and the tracker tries again with the current one (see
    /// <see cref="UsageStore.VerifiesSubjectVersions"/>). <c>null</c> when unknown, as for contexts a host's own
    /// <see cref="ISubjectContextResolver"/> returns: such writes are not checked.
    /// </summary>
    public long? Version { get; init; }

    /// <summary>A subject with nothing stored, as a store that keeps versions reports it: the defaults, version 0.</summary>
    internal static SubjectContext Unstored { get; } = new() { Version = 0 };
}
