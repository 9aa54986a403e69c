using QuotaKit.Benchmarks.Infrastructure;

namespace QuotaKit.Benchmarks.Micro;

/// <summary>
/// Hands the database to the BenchmarkDotNet classes, which run in this process (in-process toolchain) and are created
/// by BenchmarkDotNet with no constructor arguments.
/// </summary>
internal static class MicroContext
{
    public static string ConnectionString { get; set; } = "";

    public static Workload? Workload { get; set; }

    public static Workload RequireWorkload() =>
        Workload ?? throw new InvalidOperationException("MicroContext.Workload is not set: run through Program.");
}
