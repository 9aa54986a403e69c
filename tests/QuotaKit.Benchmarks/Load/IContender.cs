using QuotaKit.Benchmarks.Infrastructure;

namespace QuotaKit.Benchmarks.Load;

/// <summary>One way of gating a request on a quota: consume one unit of <paramref name="quota"/> or refuse.</summary>
internal interface IContender
{
    string Name { get; }

    /// <summary>True when the unit was granted (and counted).</summary>
    Task<bool> TryConsumeAsync(string subjectId, Quota quota);
}
