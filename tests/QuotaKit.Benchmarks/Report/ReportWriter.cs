using System.Globalization;
using System.Text;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;
using QuotaKit.Benchmarks.Micro;

namespace QuotaKit.Benchmarks.Report;

/// <summary>The run's figures as Markdown, ready to paste into docs/benchmarks.md.</summary>
internal static class ReportWriter
{
    private const string QuotaKit = "QuotaKit";
    private const string Raw = "Raw Npgsql";
    private const string Naive = "Naive EF Core";

    public static string Write(
        BenchmarkOptions options, string origin, ServerSettings settings,
        IReadOnlyList<LoadResult> load, IReadOnlyList<OvershootResult> overshoots, IReadOnlyList<MicroResult> micro)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant(
            $"Mode: {(options.Quick ? "quick" : "full")}: per contender and concurrency, {options.WarmUpDuration.TotalSeconds:0.#} s warm-up, then {options.Slices} measured slices of {options.SliceDuration.TotalSeconds:0.#} s interleaved with the other contenders'; server: {origin}"));
        text.AppendLine(Invariant($"Server settings: {settings.ToMarkdown()}"));
        if (!settings.IsDurable)
        {
            text.AppendLine("WARNING: fsync or synchronous_commit is off: do not quote these figures.");
        }

        if (load.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| Scenario | Concurrency | QuotaKit ops/s | Raw Npgsql ops/s | QuotaKit / raw | Naive EF Core ops/s | QuotaKit p50 / p99 ms | Raw p50 / p99 ms | Naive p50 / p99 ms |");
            text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var group in load.GroupBy(r => (r.Scenario, r.Round.Concurrency)))
            {
                var quotaKit = Find(group, QuotaKit);
                var raw = Find(group, Raw);
                var naive = Find(group, Naive);
                text.AppendLine(Invariant(
                    $"| {group.Key.Scenario} | {group.Key.Concurrency} | {quotaKit.OpsPerSecond:N0} | {raw.OpsPerSecond:N0} | {quotaKit.OpsPerSecond / raw.OpsPerSecond:F2} | {naive.OpsPerSecond:N0} | {Latency(quotaKit)} | {Latency(raw)} | {Latency(naive)} |"));
            }
        }

        if (overshoots.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"Overshoot on one counter with a hard limit of {overshoots[0].Limit} (granted / stored in the database / overshoot):"));
            text.AppendLine();
            text.AppendLine("| Concurrency | QuotaKit | Raw Npgsql | Naive EF Core |");
            text.AppendLine("|--:|--:|--:|--:|");
            foreach (var group in overshoots.GroupBy(o => o.Concurrency))
            {
                text.AppendLine(Invariant($"| {group.Key} | {Overshoot(group, QuotaKit)} | {Overshoot(group, Raw)} | {Overshoot(group, Naive)} |"));
            }
        }

        if (micro.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| Single call (BenchmarkDotNet) | Mean | Allocated per call |");
            text.AppendLine("|---|--:|--:|");
            foreach (var result in micro)
            {
                text.AppendLine(Invariant($"| {result.Benchmark} | {FormatTime(result.MeanNanoseconds)} | {result.AllocatedBytes:N0} B |"));
            }
        }

        return text.ToString();
    }

    public static IEnumerable<(string Scenario, int Concurrency, double Ratio)> Ratios(IReadOnlyList<LoadResult> load) =>
        load.GroupBy(r => (r.Scenario, r.Round.Concurrency))
            .Select(g => (g.Key.Scenario, g.Key.Concurrency, Find(g, QuotaKit).OpsPerSecond / Find(g, Raw).OpsPerSecond));

    private static RoundResult Find(IEnumerable<LoadResult> group, string contender) => group.Single(r => r.Contender == contender).Round;

    private static string Latency(RoundResult round) => Invariant($"{round.P50Ms:F2} / {round.P99Ms:F2}");

    private static string Overshoot(IEnumerable<OvershootResult> group, string contender)
    {
        var result = group.Single(o => o.Contender == contender);
        return Invariant($"{result.Granted} / {result.Stored} / **{result.Overshoot}**");
    }

    private static string FormatTime(double nanoseconds) =>
        nanoseconds >= 1_000_000 ? Invariant($"{nanoseconds / 1_000_000:F3} ms")
        : nanoseconds >= 1_000 ? Invariant($"{nanoseconds / 1_000:F2} µs")
        : Invariant($"{nanoseconds:F1} ns");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
