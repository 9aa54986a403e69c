using NodaTime;

namespace QuotaKit.Testing;

/// <summary>Identifies one counter: a subject's usage of a feature in the period starting at <see cref="PeriodStart"/>.</summary>
internal readonly record struct CounterKey(string SubjectId, string FeatureKey, Instant PeriodStart);

/// <summary>The in-memory counterpart of a <c>usage_counters</c> row. Mutated only under the store's lock.</summary>
internal sealed class InMemoryCounter
{
    public InMemoryCounter(UsagePeriod period)
    {
        Period = period;
    }

    /// <summary>The period; its end moves earlier when a later period starts inside it (the subject's schedule changed).</summary>
    public UsagePeriod Period { get; set; }

    public long Used { get; set; }

    /// <summary>The limit in force at the last write; <c>null</c> when unlimited.</summary>
    public long? LimitValue { get; set; }

    /// <summary>The highest alert threshold already reported in this period; 0 when none.</summary>
    public int AlertedPercent { get; set; }
}
