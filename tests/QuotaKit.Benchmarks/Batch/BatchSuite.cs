using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;

namespace QuotaKit.Benchmarks.Batch;

/// <summary>One way of metering, measured in records per second.</summary>
internal sealed record BatchResult(string Mode, int Callers, int RecordsPerCall, RoundResult Round)
{
    public double RecordsPerSecond => Round.OpsPerSecond * RecordsPerCall;
}

/// <summary>
/// Batched metering (<see cref="IUsageMeter.RecordAsync"/>) beside the per-call path (<see cref="IUsageTracker.IncrementAsync"/>)
/// in the same run, in interleaved slices, on 10,000 warm subjects: records per second, and the latency of one call.
/// </summary>
internal sealed class BatchSuite(BenchmarkOptions options, Workload workload, ServiceProvider quotaKit)
{
    private static readonly (string Mode, int Callers, int RecordsPerCall)[] Modes =
    [
        ("per call: IncrementAsync", 64, 1),
        ("batched: RecordAsync", 1, 1_000),
        ("batched: RecordAsync", 2, 1_000),
    ];

    private readonly IUsageTracker _tracker = quotaKit.GetRequiredService<IUsageTracker>();
    private readonly IUsageMeter _meter = quotaKit.GetRequiredService<IUsageMeter>();

    public List<BatchResult> Results { get; } = [];

    public async Task RunAsync()
    {
        Console.WriteLine($"Batch: warming up {Workload.ManySubjects:N0} subjects...");
        await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
            await _tracker.IncrementAsync(Subject(i), Workload.Unbounded.FeatureKey, cancellationToken: cancellationToken));

        var samples = Modes.Select(_ => new List<RoundSample>()).ToArray();
        for (var slice = 0; slice < options.Slices; slice++)
        {
            for (var m = 0; m < Modes.Length; m++)
            {
                var (_, callers, size) = Modes[m];
                var warmUp = slice == 0 ? options.WarmUpDuration : options.SliceWarmUpDuration;
                samples[m].Add(await LoadRound.RunAsync(callers, warmUp, options.SliceDuration, random => size == 1
                    ? IncrementAsync(random)
                    : RecordAsync(random, size)));
            }
        }

        for (var m = 0; m < Modes.Length; m++)
        {
            var (mode, callers, size) = Modes[m];
            var result = new BatchResult(mode, callers, size, RoundResult.Merge(callers, samples[m]));
            Results.Add(result);
            Console.WriteLine($"  {mode,-26} callers {callers,-3} records/call {size,-6} {result.RecordsPerSecond,9:F0} records/s  p50 {result.Round.P50Ms,8:F2} ms  p99 {result.Round.P99Ms,8:F2} ms");
        }
    }

    public static string ToMarkdown(IReadOnlyList<BatchResult> results)
    {
        var perCall = results.First(r => r.RecordsPerCall == 1).RecordsPerSecond;
        var text = new StringBuilder();
        text.AppendLine("| Metering | Callers | Records per call | Records/s | vs per call | p50 / p99 ms per call |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Mode} | {r.Callers} | {r.RecordsPerCall:N0} | {r.RecordsPerSecond:N0} | {r.RecordsPerSecond / perCall:F1}x | {r.Round.P50Ms:F2} / {r.Round.P99Ms:F2} |"));
        }

        return text.ToString();
    }

    private string Subject(int index) => workload.Subject("quotakit", "metered", index);

    private async Task<bool> IncrementAsync(int random) =>
        (await _tracker.IncrementAsync(Subject(random % Workload.ManySubjects), Workload.Unbounded.FeatureKey).ConfigureAwait(false)).Allowed;

    private async Task<bool> RecordAsync(int random, int size)
    {
        var records = new UsageRecord[size];
        var subjects = new Random(random);
        for (var i = 0; i < size; i++)
        {
            records[i] = new UsageRecord(Subject(subjects.Next(Workload.ManySubjects)), Workload.Unbounded.FeatureKey);
        }

        var results = await _meter.RecordAsync(records).ConfigureAwait(false);
        return results.All(r => r.Succeeded) ? true : throw new InvalidOperationException($"A batch record failed: {results.First(r => !r.Succeeded)}");
    }
}
