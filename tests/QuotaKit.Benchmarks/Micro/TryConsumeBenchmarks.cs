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
    private IUsageTracker? _tracker;
    private RawNpgsqlContender? _raw;
    private string _quotaKitSubject = "";
    private string _rawSubject = "";
    private NpgsqlConnection? _heldConnection;
    private NpgsqlCommand? _floor;

    [GlobalSetup]
    public void Setup()
    {
        var workload = MicroContext.RequireWorkload();
        _quotaKit = workload.CreateQuotaKit(MicroContext.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(MicroContext.ConnectionString);
        _tracker = _quotaKit.GetRequiredService<IUsageTracker>();
        _raw = new RawNpgsqlContender(_dataSource, workload);
        _quotaKitSubject = workload.Subject("quotakit", "single", 0);
        _rawSubject = workload.Subject("raw", "single", 0);
        _tracker.TryConsumeAsync(_quotaKitSubject, Workload.Unbounded.FeatureKey).GetAwaiter().GetResult();
        _raw.TryConsumeAsync(_rawSubject, Workload.Unbounded).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(NpgsqlFloor))]
    public void SetupFloor()
    {
        Setup();
        _heldConnection = _dataSource!.OpenConnection();
        _floor = RawNpgsqlContender.CreatePreparedCommand(_heldConnection, MicroContext.RequireWorkload().Subject("raw", "floor", 0), Workload.Unbounded, MicroContext.RequireWorkload());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floor?.Dispose();
        _heldConnection?.Dispose();
        _quotaKit?.Dispose();
        _dataSource?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Raw Npgsql")]
    public Task<bool> RawNpgsql() => _raw!.TryConsumeAsync(_rawSubject, Workload.Unbounded);

    /// <summary>Npgsql's own floor: one command and one connection held for the whole run, nothing created per call.</summary>
    [Benchmark(Description = "Raw Npgsql, command reused on a held connection (floor)")]
    public async Task<bool> NpgsqlFloor()
    {
        await using var reader = await _floor!.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt16(0) == 0;
    }

    [Benchmark(Description = "QuotaKit TryConsume")]
    public Task<UsageDecision> QuotaKit() => _tracker!.TryConsumeAsync(_quotaKitSubject, Workload.Unbounded.FeatureKey);
}
