using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace QuotaKit.Benchmarks.Micro;

/// <summary>One BenchmarkDotNet result row: mean time and bytes allocated per operation.</summary>
internal sealed record MicroResult(string Benchmark, double MeanNanoseconds, long? AllocatedBytes);

/// <summary>
/// Runs the BenchmarkDotNet classes in this process (they share the benchmark database) with a short job that fits the
/// time budget, and collects mean and allocated bytes per operation.
/// </summary>
internal static class MicroSuite
{
    public static List<MicroResult> Run(BenchmarkOptions options)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(options.Quick ? 1 : 3)
            .WithIterationCount(options.Quick ? 3 : 8)
            .WithIterationTime(TimeInterval.FromMilliseconds(options.Quick ? 150 : 500));
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));

        var results = new List<MicroResult>();
        foreach (var summary in new[] { BenchmarkRunner.Run<TryConsumeBenchmarks>(config), BenchmarkRunner.Run<PeriodCalculatorBenchmarks>(config) })
        {
            results.AddRange(summary.Reports.Select(ToResult));
        }

        return results;
    }

    private static MicroResult ToResult(BenchmarkReport report) => new(
        report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,
        report.ResultStatistics?.Mean ?? double.NaN,
        report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
}
