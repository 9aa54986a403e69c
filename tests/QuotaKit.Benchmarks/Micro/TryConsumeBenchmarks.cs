using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;

namespace QuotaKit.Benchmarks.Micro;

/// <summary>One TryConsume at a time (one warm subject, cached context, prepared statement): time and bytes allocated per call.</summary>
[MemoryDiagnoser]
public class TryConsumeBenchmarks
{
    private ServiceProvider? _quotaKit;
    private NpgsqlDataSource? _dataSource;
    private QuotaKitContender? _tracker;
    private RawNpgsqlContender? _raw;
    private string _quotaKitSubject = "";
    private string _rawSubject = "";

    [GlobalSetup]
    public void Setup()
    {
        var workload = MicroContext.RequireWorkload();
        _quotaKit = workload.CreateQuotaKit(MicroContext.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(MicroContext.ConnectionString);
        _tracker = new QuotaKitContender(_quotaKit.GetRequiredService<IUsageTracker>());
        _raw = new RawNpgsqlContender(_dataSource, workload);
        _quotaKitSubject = workload.Subject("quotakit", "single", 0);
        _rawSubject = workload.Subject("raw", "single", 0);
        _tracker.TryConsumeAsync(_quotaKitSubject, Workload.Unbounded).GetAwaiter().GetResult();
        _raw.TryConsumeAsync(_rawSubject, Workload.Unbounded).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _quotaKit?.Dispose();
        _dataSource?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Raw Npgsql")]
    public Task<bool> RawNpgsql() => _raw!.TryConsumeAsync(_rawSubject, Workload.Unbounded);

    [Benchmark(Description = "QuotaKit TryConsume")]
    public Task<bool> QuotaKit() => _tracker!.TryConsumeAsync(_quotaKitSubject, Workload.Unbounded);
}
