namespace QuotaKit;

/// <summary>One usage record for <see cref="IUsageMeter.RecordAsync"/>: units of a feature used by a subject.</summary>
/// <param name="SubjectId">The subject.</param>
/// <param name="FeatureKey">The feature (a counter).</param>
/// <param name="Amount">The units used; positive.</param>
/// <param name="Options">An idempotency key, the usage instant, metadata; optional.</param>
public sealed record UsageRecord(string SubjectId, string FeatureKey, long Amount = 1, UsageOptions? Options = null);
