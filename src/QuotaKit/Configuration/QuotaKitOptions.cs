using NodaTime;

namespace QuotaKit;

/// <summary>QuotaKit's configuration: features, plans and defaults. Validated at start-up.</summary>
public sealed class QuotaKitOptions
{
    /// <summary>Features by key.</summary>
    public IDictionary<string, FeatureDefinition> Features { get; } = new Dictionary<string, FeatureDefinition>(StringComparer.Ordinal);

    /// <summary>Plans by key.</summary>
    public IDictionary<string, PlanDefinition> Plans { get; } = new Dictionary<string, PlanDefinition>(StringComparer.Ordinal);

    /// <summary>The plan of subjects that have none. Must name a declared plan when set; when <c>null</c>, such subjects get
    /// every feature disabled.</summary>
    public string? DefaultPlan { get; set; }

    /// <summary>How long idempotency keys are remembered before a purge may delete them. Default 7 days.</summary>
    public Duration IdempotencyRetention { get; set; } = Duration.FromDays(7);

    /// <summary>
    /// How long a subject's plan, overrides and grants read from the store are cached in-process while changes made by
    /// other processes are not pushed to this one (no <see cref="SubjectChangeFeed"/> is connected). Default 30 s. Changes
    /// made through <see cref="IQuotaAdministration"/> in this process are seen at once.
    /// </summary>
    public Duration SubjectCacheDuration { get; set; } = Duration.FromSeconds(30);

    /// <summary>
    /// How long a cached subject lives while the store pushes every change to this process (the PostgreSQL store
    /// listens for them; see <see cref="SubjectChangeFeed"/>). Default 1 hour. When the push stops, entries older than
    /// <see cref="SubjectCacheDuration"/> are read again, so staleness stays bounded.
    /// </summary>
    public Duration PushedSubjectCacheDuration { get; set; } = Duration.FromHours(1);

    /// <summary>
    /// How many subjects the in-process cache holds at most. Default 100,000 (a few tens of megabytes). Past it, the
    /// least recently used subjects are evicted; with a store that verifies subject versions, a subject that is not
    /// cached still costs one round trip when it has nothing stored (see docs/concepts.md, "The subject cache").
    /// </summary>
    public int SubjectCacheCapacity { get; set; } = 100_000;

    /// <summary>Problems found while reading configuration (e.g. an unparsable limit); reported with the others at validation.</summary>
    internal List<string> BindingProblems { get; } = new();
}
