using QuotaKit.Benchmarks.Load;
using QuotaKit.Benchmarks.Micro;

namespace QuotaKit.Benchmarks.Report;

/// <summary>The targets of issue 5, checked against a run's figures.</summary>
internal static class Targets
{
    public const double MinimumRawRatio = 0.85;
    public const long MaximumBytesPerTryConsume = 2048;

    public static IEnumerable<string> Check(IReadOnlyList<LoadResult> load, IReadOnlyList<OvershootResult> overshoots, IReadOnlyList<MicroResult> micro)
    {
        foreach (var (scenario, concurrency, ratio) in ReportWriter.Ratios(load))
        {
            yield return $"{Verdict(ratio >= MinimumRawRatio)} QuotaKit / raw throughput >= {MinimumRawRatio:F2}: {ratio:F2} ({scenario}, concurrency {concurrency})";
        }

        foreach (var result in micro.Where(m => m.Benchmark.Trim('\'').StartsWith("QuotaKit", StringComparison.Ordinal)))
        {
            yield return $"{Verdict(result.AllocatedBytes <= MaximumBytesPerTryConsume)} allocated per TryConsume <= {MaximumBytesPerTryConsume} B: {result.AllocatedBytes} B";
        }

        foreach (var result in overshoots.Where(o => o.Contender == "QuotaKit"))
        {
            yield return $"{Verdict(IsExact(result))} QuotaKit overshoot 0 and no lost update: overshoot {result.Overshoot}, granted {result.Granted}, stored {result.Stored} (concurrency {result.Concurrency})";
        }
    }

    /// <summary>Exactly the limit's worth granted (or fewer when the round was too short to reach it), all of it stored.</summary>
    public static bool IsExact(OvershootResult result) => result.Overshoot == 0 && result.LostUpdates == 0;

    private static string Verdict(bool met) => met ? "[met]   " : "[MISSED]";
}
