using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>Which counters a recount checks. Every property narrows it; none set means every counter.</summary>
public sealed record RecountScope
{
    /// <summary>Every counter of every subject and feature.</summary>
    public static RecountScope Everything { get; } = new();

    /// <summary>Only this subject's counters.</summary>
    public string? SubjectId { get; init; }

    /// <summary>Only this feature's counters.</summary>
    public string? FeatureKey { get; init; }

    /// <summary>Only periods that end after this instant.</summary>
    public Instant? PeriodsFrom { get; init; }

    /// <summary>Only periods that start before this instant.</summary>
    public Instant? PeriodsUntil { get; init; }

    /// <summary>One subject's counters.</summary>
    public static RecountScope ForSubject(string subjectId) => new() { SubjectId = subjectId };

    /// <summary>One feature's counters.</summary>
    public static RecountScope ForFeature(string featureKey) => new() { FeatureKey = featureKey };

    /// <summary>Counters whose period overlaps <c>[from, until)</c>.</summary>
    public static RecountScope ForPeriods(Instant from, Instant until) => new() { PeriodsFrom = from, PeriodsUntil = until };

    /// <inheritdoc />
    public override string ToString() =>
        $"subject {SubjectId ?? "*"}, feature {FeatureKey ?? "*"}, periods [{PeriodsFrom?.ToString() ?? "-inf"}, {PeriodsUntil?.ToString() ?? "+inf"})";
}

/// <summary>How a recount runs.</summary>
public sealed class RecountOptions
{
    /// <summary>Set each counter that differs to the ledger's value (under the counter's row lock). Default: report only.</summary>
    public bool Repair { get; init; }

    /// <summary>Receives the number of counters checked so far, every <see cref="ProgressInterval"/> counters and at the end.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>How many counters between progress reports. Default 1000.</summary>
    public int ProgressInterval { get; init; } = 1000;
}
