using System.Diagnostics;

namespace QuotaKit.Benchmarks.Load;

/// <summary>One contender's figures at one concurrency, merged from its interleaved slices.</summary>
/// <param name="Operations">Calls completed inside the measured windows.</param>
/// <param name="Allowed">Calls granted, warm-ups included (for overshoot).</param>
internal sealed record RoundResult(int Concurrency, long Operations, double OpsPerSecond, long Allowed, double P50Ms, double P99Ms)
{
    public static RoundResult Merge(int concurrency, IReadOnlyCollection<RoundSample> samples)
    {
        var all = samples.SelectMany(s => s.LatencyTicks).ToArray();
        Array.Sort(all);
        var seconds = samples.Sum(s => s.Seconds);
        return new RoundResult(
            concurrency, all.Length, all.Length / seconds, samples.Sum(s => s.Allowed), PercentileMs(all, 0.50), PercentileMs(all, 0.99));
    }

    private static double PercentileMs(long[] sortedTicks, double percentile) =>
        sortedTicks.Length == 0
            ? double.NaN
            : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)(percentile * sortedTicks.Length))] * 1000.0 / Stopwatch.Frequency;
}
