using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>The arguments of one <c>quotakit.record_usage</c> call.</summary>
internal readonly record struct RecordUsageCommand(
    string SubjectId,
    string FeatureKey,
    UsagePeriod Period,
    string Operation,
    long Amount,
    FeatureLimit Limit,
    UsageWriteRule Rule,
    int[] Thresholds,
    Instant Now,
    Instant OccurredAt,
    string? IdempotencyKey,
    string? MetadataJson,
    bool RecordEvent)
{
    /// <summary>A short description for error messages, e.g. <c>consume 1 of 'images' for subject 'u1'</c>.</summary>
    public string Describe() => $"{Operation} {Amount} of '{FeatureKey}' for subject '{SubjectId}'";
}
