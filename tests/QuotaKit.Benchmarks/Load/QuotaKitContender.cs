using QuotaKit.Benchmarks.Infrastructure;

namespace QuotaKit.Benchmarks.Load;

/// <summary>QuotaKit's <see cref="IUsageTracker.TryConsumeAsync"/>, as an app calls it.</summary>
internal sealed class QuotaKitContender(IUsageTracker tracker) : IContender
{
    public string Name => "QuotaKit";

    public async Task<bool> TryConsumeAsync(string subjectId, Quota quota) =>
        (await tracker.TryConsumeAsync(subjectId, quota.FeatureKey).ConfigureAwait(false)).Allowed;
}
