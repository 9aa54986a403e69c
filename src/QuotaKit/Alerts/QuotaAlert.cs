using NodaTime;

namespace QuotaKit;

/// <summary>A subject's usage of a feature crossed an alert threshold (percent of the limit) in a period.</summary>
public sealed record QuotaAlert(
    string SubjectId, string FeatureKey, int ThresholdPercent, long Used, FeatureLimit Limit, UsagePeriod Period, Instant DetectedAt);
