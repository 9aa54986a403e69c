using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;

namespace QuotaKit.Benchmarks.Subjects;

/// <summary>
/// The subject-context part (issue 17): QuotaKit with its default settings (no cache duration raised for the run)
/// against the raw prepared call, on subject populations a real SaaS has, counting round trips per call.
/// </summary>
internal sealed class SubjectSuite : IAsyncDisposable
{
    public const string Million = "1M subjects, none stored";
    public const string MillionSomeStored = "1M subjects, 1 in 10 stored";
    public const string TenThousand = "10k subjects, warmed";

    private const int MillionSubjects = 1_000_000;
    private const int StoredEvery = 10;

    private readonly BenchmarkOptions _options;
    private readonly Workload _workload;
    private readonly string _connectionString;
    private readonly ServiceProvider _quotaKit;
    private readonly NpgsqlDataSource _rawDataSource;
    private readonly (string Key, IContender Contender)[] _contenders;
    private readonly RoundTripCounter _roundTrips = new();

    public SubjectSuite(BenchmarkOptions options, Workload workload, string connectionString)
    {
        _options = options;
        _workload = workload;
        _connectionString = connectionString;
        _quotaKit = workload.CreateQuotaKit(connectionString, defaultSettings: true);
        _rawDataSource = NpgsqlDataSource.Create(connectionString);
        _contenders =
        [
            ("quotakit", new QuotaKitContender(_quotaKit.GetRequiredService<IUsageTracker>())),
            ("raw", new RawNpgsqlContender(_rawDataSource, workload)),
        ];
    }

    public List<(string Scenario, string Contender, RoundResult Round, double RoundTripsPerCall)> Results { get; } = [];

    public async Task RunAsync()
    {
        await SeedStoredSubjectsAsync();

        // As a generic host would: QuotaKit's hosted services run (the start-up check, and the subject-change listener
        // where the version has one), so the subject cache has the lifetime an app has by default.
        foreach (var service in _quotaKit.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        // Pools and prepared statements only: one call each on a subject no scenario uses. The subject cache stays cold.
        foreach (var (key, contender) in _contenders)
        {
            await contender.TryConsumeAsync(_workload.Subject(key, "pool", 0), Workload.Unbounded);
        }

        foreach (var concurrency in LoadSuite.Concurrencies)
        {
            await RunInterleavedAsync(Million, concurrency);
        }

        foreach (var concurrency in LoadSuite.Concurrencies)
        {
            await RunInterleavedAsync(MillionSomeStored, concurrency);
        }

        await WarmTenThousandAsync();
        foreach (var concurrency in LoadSuite.Concurrencies)
        {
            await RunInterleavedAsync(TenThousand, concurrency);
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Concurrency | QuotaKit ops/s | Raw ops/s | QuotaKit / raw | QuotaKit p99 ms | Raw p99 ms | QuotaKit round trips/call | Raw round trips/call |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var group in Results.GroupBy(r => (r.Scenario, r.Round.Concurrency)))
        {
            var quotaKit = group.Single(r => r.Contender == "QuotaKit");
            var raw = group.Single(r => r.Contender != "QuotaKit");
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Scenario} | {group.Key.Concurrency} | {quotaKit.Round.OpsPerSecond:F0} | {raw.Round.OpsPerSecond:F0} | {quotaKit.Round.OpsPerSecond / raw.Round.OpsPerSecond:F2}× | {quotaKit.Round.P99Ms:F2} | {raw.Round.P99Ms:F2} | {quotaKit.RoundTripsPerCall:F2} | {raw.RoundTripsPerCall:F2} |");
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _quotaKit.GetServices<IHostedService>())
        {
            await service.StopAsync(CancellationToken.None);
        }

        _roundTrips.Dispose();
        await _quotaKit.DisposeAsync();
        await _rawDataSource.DisposeAsync();
    }

    private async Task RunInterleavedAsync(string scenario, int concurrency)
    {
        var samples = _contenders.Select(_ => new List<RoundSample>()).ToArray();
        var calls = new long[_contenders.Length];
        var roundTrips = new long[_contenders.Length];
        for (var slice = 0; slice < _options.Slices; slice++)
        {
            for (var c = 0; c < _contenders.Length; c++)
            {
                var (key, contender) = _contenders[c];
                var warmUp = slice == 0 ? _options.WarmUpDuration : _options.SliceWarmUpDuration;
                var before = _roundTrips.Count;
                var sample = await LoadRound.RunAsync(concurrency, warmUp, _options.SliceDuration, r =>
                    contender.TryConsumeAsync(SubjectFor(key, scenario, r), Workload.Unbounded));
                roundTrips[c] += _roundTrips.Count - before;
                calls[c] += sample.Calls;
                samples[c].Add(sample);
            }
        }

        for (var c = 0; c < _contenders.Length; c++)
        {
            var name = _contenders[c].Contender.Name;
            var round = RoundResult.Merge(concurrency, samples[c]);
            var perCall = (double)roundTrips[c] / calls[c];
            Results.Add((scenario, name, round, perCall));
            Console.WriteLine($"  {scenario,-28} c={concurrency,-3} {name,-12} {round.OpsPerSecond,9:F0} ops/s  p99 {round.P99Ms,7:F2} ms  {perCall:F2} round trips/call");
        }
    }

    private string SubjectFor(string contenderKey, string scenario, int random) => scenario switch
    {
        Million => _workload.Subject(contenderKey, "m1", random % MillionSubjects),
        MillionSomeStored => _workload.Subject(contenderKey, "m1s", random % MillionSubjects),
        _ => _workload.Subject(contenderKey, "k10", random % Workload.ManySubjects),
    };

    /// <summary>Every tenth subject of the second million-subject scenario has a stored plan (the same limits).</summary>
    private async Task SeedStoredSubjectsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        foreach (var (key, _) in _contenders)
        {
            await using var command = dataSource.CreateCommand(
                """
                INSERT INTO quotakit.subjects (subject_id, plan_key, created_at, updated_at)
                SELECT $1 || i, 'bench', now(), now() FROM generate_series(0, $2 - 1, $3) AS i
                ON CONFLICT DO NOTHING
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _workload.Subject(key, "m1s", 0)[..^1] });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MillionSubjects });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = StoredEvery });
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>As the load part's many-subjects scenario: one call per subject first, then measured calls.</summary>
    private async Task WarmTenThousandAsync()
    {
        foreach (var (key, contender) in _contenders)
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                await contender.TryConsumeAsync(_workload.Subject(key, "k10", i), Workload.Unbounded));
        }
    }
}
