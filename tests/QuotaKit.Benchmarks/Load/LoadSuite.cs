using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.PostgreSql;

namespace QuotaKit.Benchmarks.Load;

/// <summary>
/// The load part: QuotaKit, raw Npgsql and the naive EF Core pattern, round after round in the same run, at every
/// concurrency, on many subjects and on one hot counter; then overshoot on a limit that gets hit.
/// </summary>
internal sealed class LoadSuite : IAsyncDisposable
{
    public static readonly int[] Concurrencies = [1, 8, 32, 64];

    public const string ManySubjects = "many subjects";
    public const string HotCounter = "one hot counter";

    private readonly BenchmarkOptions _options;
    private readonly Workload _workload;
    private readonly ServiceProvider _quotaKit;
    private readonly NpgsqlDataSource _rawDataSource;
    private readonly NpgsqlDataSource _naiveDataSource;
    private readonly (string Key, IContender Contender)[] _contenders;

    public LoadSuite(BenchmarkOptions options, Workload workload, string connectionString)
    {
        _options = options;
        _workload = workload;
        _quotaKit = workload.CreateQuotaKit(connectionString);
        _rawDataSource = NpgsqlDataSource.Create(connectionString);
        _naiveDataSource = NpgsqlDataSource.Create(connectionString);
        var naiveOptions = new DbContextOptionsBuilder<QuotaKitDbContext>();
        naiveOptions.UseQuotaKitPostgreSql(_naiveDataSource);
        _contenders =
        [
            ("quotakit", new QuotaKitContender(_quotaKit.GetRequiredService<IUsageTracker>())),
            ("raw", new RawNpgsqlContender(_rawDataSource, workload)),
            ("naive", new NaiveEfCoreContender(new PooledDbContextFactory<QuotaKitDbContext>(naiveOptions.Options), workload)),
        ];
    }

    public List<LoadResult> Results { get; } = [];

    public List<OvershootResult> Overshoots { get; } = [];

    public async Task RunAsync()
    {
        await WarmUpAsync();
        foreach (var scenario in new[] { ManySubjects, HotCounter })
        {
            foreach (var concurrency in Concurrencies)
            {
                await RunInterleavedAsync(scenario, concurrency);
            }
        }

        foreach (var concurrency in Concurrencies)
        {
            foreach (var (key, contender) in _contenders)
            {
                Overshoots.Add(await MeasureOvershootAsync(key, contender, concurrency));
            }
        }
    }

    /// <summary>Every contender at one concurrency, in interleaved slices (see <see cref="BenchmarkOptions.Slices"/>).</summary>
    private async Task RunInterleavedAsync(string scenario, int concurrency)
    {
        var samples = _contenders.Select(_ => new List<RoundSample>()).ToArray();
        for (var slice = 0; slice < _options.Slices; slice++)
        {
            for (var c = 0; c < _contenders.Length; c++)
            {
                var (key, contender) = _contenders[c];
                var warmUp = slice == 0 ? _options.WarmUpDuration : _options.SliceWarmUpDuration;
                samples[c].Add(await LoadRound.RunAsync(concurrency, warmUp, _options.SliceDuration, r =>
                    contender.TryConsumeAsync(SubjectFor(key, scenario, r), Workload.Unbounded)));
            }
        }

        for (var c = 0; c < _contenders.Length; c++)
        {
            var name = _contenders[c].Contender.Name;
            var round = RoundResult.Merge(concurrency, samples[c]);
            Results.Add(new LoadResult(scenario, name, round));
            Console.WriteLine($"  {scenario,-16} c={concurrency,-3} {name,-14} {round.OpsPerSecond,9:F0} ops/s  p50 {round.P50Ms,7:F2} ms  p99 {round.P99Ms,7:F2} ms");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _quotaKit.DisposeAsync();
        await _rawDataSource.DisposeAsync();
        await _naiveDataSource.DisposeAsync();
    }

    private string SubjectFor(string contenderKey, string scenario, int random) =>
        scenario == ManySubjects
            ? _workload.Subject(contenderKey, "many", random % Workload.ManySubjects)
            : _workload.Subject(contenderKey, "hot", 0);

    /// <summary>
    /// One call per subject and contender before anything is measured: creates every counter row (the measured calls
    /// update, they do not insert), opens the pools, prepares the statements, and fills QuotaKit's subject cache.
    /// </summary>
    private async Task WarmUpAsync()
    {
        Console.WriteLine($"Warming up: {Workload.ManySubjects:N0} subjects per contender (counter rows, pools, QuotaKit's subject cache)...");
        foreach (var (key, contender) in _contenders)
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                await contender.TryConsumeAsync(_workload.Subject(key, "many", i), Workload.Unbounded));
            await contender.TryConsumeAsync(_workload.Subject(key, "hot", 0), Workload.Unbounded);
        }
    }

    private async Task<OvershootResult> MeasureOvershootAsync(string key, IContender contender, int concurrency)
    {
        var subject = _workload.Subject(key, $"capped{concurrency}", 0);
        var first = await contender.TryConsumeAsync(subject, Workload.Capped) ? 1 : 0; // creates the row, warms caches
        var duration = _options.Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2);
        var round = await LoadRound.RunAsync(concurrency, TimeSpan.Zero, duration, _ => contender.TryConsumeAsync(subject, Workload.Capped));
        var attempts = round.LatencyTicks.Length + 1;

        await using var command = _rawDataSource.CreateCommand(
            "SELECT used FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Workload.Capped.FeatureKey });
        var stored = (long)(await command.ExecuteScalarAsync())!;
        var result = new OvershootResult(contender.Name, concurrency, attempts, round.Allowed + first, stored, Workload.Capped.Limit);
        Console.WriteLine($"  limit {result.Limit} c={concurrency,-3} {contender.Name,-14} granted {result.Granted,5}  stored {result.Stored,5}  overshoot {result.Overshoot}");
        return result;
    }
}
