using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;
using QuotaKit.PostgreSql;

namespace QuotaKit.Benchmarks.Batch;

/// <summary>One contender's figures at one point: throughput and latency, and managed bytes allocated per call.</summary>
internal sealed record CoalescingResult(string Scenario, int Concurrency, string Contender, RoundResult Round, double BytesPerCall);

/// <summary>
/// Coalesced writes (<see cref="QuotaKitPostgreSqlOptions.CoalesceWrites"/>) against the raw per-call baseline (the
/// prepared record_usage_v2 call) and QuotaKit without coalescing, in the same run, in interleaved slices: one hot
/// counter and 10,000 subjects at 1 and 64 callers, overshoot on a limit that gets hit, and bytes allocated per call.
/// </summary>
internal sealed class CoalescingSuite : IAsyncDisposable
{
    public const string Raw = "Raw Npgsql";
    public const string RawSameSql = "Raw Npgsql (v7)";
    public const string Plain = "QuotaKit";
    public const string Coalesced = "QuotaKit coalesced";

    private static readonly int[] Concurrencies = [1, 64];

    private readonly BenchmarkOptions _options;
    private readonly Workload _workload;
    private readonly ServiceProvider _plain;
    private readonly ServiceProvider _coalesced;
    private readonly NpgsqlDataSource _raw;
    private readonly (string Key, IContender Contender)[] _contenders;

    public CoalescingSuite(BenchmarkOptions options, Workload workload, string connectionString)
    {
        _options = options;
        _workload = workload;
        _plain = workload.CreateQuotaKit(connectionString);
        var services = new ServiceCollection();
        workload.Register(services).UsePostgreSql(connectionString, o =>
        {
            o.CoalesceWrites = true;
            // For tuning runs only: how many batches may be in flight at once (the store's default otherwise).
            if (int.TryParse(Environment.GetEnvironmentVariable("QUOTAKIT_BENCH_COALESCING_SENDERS"), out var senders))
            {
                o.CoalescingSenders = senders;
            }
        });
        _coalesced = services.BuildServiceProvider();
        _raw = NpgsqlDataSource.Create(connectionString);
        _contenders =
        [
            ("raw", new RawNpgsqlContender(_raw, workload)),
            ("rawv7", new RawNpgsqlContender(_raw, workload, sameSqlAsQuotaKit: true)),
            ("quotakit", new QuotaKitContender(_plain.GetRequiredService<IUsageTracker>())),
            ("coalesced", new NamedContender(Coalesced, new QuotaKitContender(_coalesced.GetRequiredService<IUsageTracker>()))),
        ];
    }

    public List<CoalescingResult> Results { get; } = [];

    public List<OvershootResult> Overshoots { get; } = [];

    public async Task RunAsync()
    {
        Console.WriteLine("Coalescing: warming up (counter rows, pools, subject caches)...");
        foreach (var (key, contender) in _contenders)
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                await contender.TryConsumeAsync(_workload.Subject(key, "cmany", i), Workload.Unbounded));
            await contender.TryConsumeAsync(_workload.Subject(key, "chot", 0), Workload.Unbounded);
        }

        foreach (var scenario in new[] { LoadSuite.HotCounter, LoadSuite.ManySubjects })
        {
            foreach (var concurrency in Concurrencies)
            {
                var samples = _contenders.Select(_ => new List<RoundSample>()).ToArray();
                var bytes = new double[_contenders.Length];
                for (var slice = 0; slice < _options.Slices; slice++)
                {
                    for (var c = 0; c < _contenders.Length; c++)
                    {
                        var (key, contender) = _contenders[c];
                        var warmUp = slice == 0 ? _options.WarmUpDuration : _options.SliceWarmUpDuration;
                        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
                        var completed = 0L;
                        var sample = await LoadRound.RunAsync(concurrency, warmUp, _options.SliceDuration, async r =>
                        {
                            var allowed = await contender.TryConsumeAsync(Subject(key, scenario, r), Workload.Unbounded);
                            Interlocked.Increment(ref completed);
                            return allowed;
                        });
                        samples[c].Add(sample);
                        bytes[c] += (double)(GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / Math.Max(1, completed) / _options.Slices;
                    }
                }

                for (var c = 0; c < _contenders.Length; c++)
                {
                    var result = new CoalescingResult(scenario, concurrency, _contenders[c].Contender.Name, RoundResult.Merge(concurrency, samples[c]), bytes[c]);
                    Results.Add(result);
                    Console.WriteLine($"  {scenario,-16} c={concurrency,-3} {result.Contender,-19} {result.Round.OpsPerSecond,9:F0} ops/s  p50 {result.Round.P50Ms,7:F2} ms  p99 {result.Round.P99Ms,7:F2} ms  {result.BytesPerCall,7:F0} B/call");
                }
            }
        }

        foreach (var concurrency in new[] { 1, 8, 64 })
        {
            foreach (var (key, contender) in _contenders.Where(c => c.Key != "rawv7"))
            {
                Overshoots.Add(await MeasureOvershootAsync(key, contender, concurrency));
            }
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Scenario | Callers | Raw ops/s | QuotaKit ops/s | Coalesced ops/s | Coalesced / raw | p50 / p99 ms raw | p50 / p99 ms coalesced | B/call QuotaKit | B/call coalesced |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in Results.GroupBy(r => (r.Scenario, r.Concurrency)))
        {
            var raw = group.Single(r => r.Contender == Raw);
            var plain = group.Single(r => r.Contender == Plain);
            var coalesced = group.Single(r => r.Contender == Coalesced);
            text.AppendLine(Invariant(
                $"| {group.Key.Scenario} | {group.Key.Concurrency} | {raw.Round.OpsPerSecond:N0} | {plain.Round.OpsPerSecond:N0} | {coalesced.Round.OpsPerSecond:N0} | {coalesced.Round.OpsPerSecond / raw.Round.OpsPerSecond:F2} | {raw.Round.P50Ms:F2} / {raw.Round.P99Ms:F2} | {coalesced.Round.P50Ms:F2} / {coalesced.Round.P99Ms:F2} | {plain.BytesPerCall:N0} | {coalesced.BytesPerCall:N0} |"));
        }

        text.AppendLine();
        text.AppendLine("Against a raw prepared call of the same SQL QuotaKit calls (`record_usage_v7`):");
        text.AppendLine();
        text.AppendLine("| Scenario | Callers | Raw v7 ops/s | Coalesced / raw v7 | p99 ms raw v7 | p99 coalesced / raw v7 |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|");
        foreach (var group in Results.GroupBy(r => (r.Scenario, r.Concurrency)))
        {
            var raw = group.Single(r => r.Contender == RawSameSql);
            var coalesced = group.Single(r => r.Contender == Coalesced);
            text.AppendLine(Invariant(
                $"| {group.Key.Scenario} | {group.Key.Concurrency} | {raw.Round.OpsPerSecond:N0} | {coalesced.Round.OpsPerSecond / raw.Round.OpsPerSecond:F2} | {raw.Round.P99Ms:F2} | {coalesced.Round.P99Ms / raw.Round.P99Ms:F2} |"));
        }

        text.AppendLine();
        text.AppendLine("| Overshoot, limit 200 (granted / stored / overshoot) | Raw | QuotaKit | Coalesced |");
        text.AppendLine("|--:|--:|--:|--:|");
        foreach (var group in Overshoots.GroupBy(o => o.Concurrency))
        {
            text.AppendLine(Invariant($"| {group.Key} callers | {Overshoot(group, Raw)} | {Overshoot(group, Plain)} | {Overshoot(group, Coalesced)} |"));
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _plain.DisposeAsync();
        await _coalesced.DisposeAsync();
        await _raw.DisposeAsync();
    }

    private string Subject(string key, string scenario, int random) =>
        scenario == LoadSuite.ManySubjects ? _workload.Subject(key, "cmany", random % Workload.ManySubjects) : _workload.Subject(key, "chot", 0);

    private async Task<OvershootResult> MeasureOvershootAsync(string key, IContender contender, int concurrency)
    {
        var subject = _workload.Subject(key, $"ccapped{concurrency}", 0);
        var first = await contender.TryConsumeAsync(subject, Workload.Capped) ? 1 : 0;
        var round = await LoadRound.RunAsync(concurrency, TimeSpan.Zero, TimeSpan.FromSeconds(_options.Quick ? 1 : 2), _ => contender.TryConsumeAsync(subject, Workload.Capped));
        await using var command = _raw.CreateCommand("SELECT used FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Workload.Capped.FeatureKey });
        var stored = (long)(await command.ExecuteScalarAsync())!;
        var result = new OvershootResult(contender.Name, concurrency, round.LatencyTicks.Length + 1, round.Allowed + first, stored, Workload.Capped.Limit);
        Console.WriteLine($"  limit {result.Limit} c={concurrency,-3} {contender.Name,-19} granted {result.Granted,5}  stored {result.Stored,5}  overshoot {result.Overshoot}");
        return result;
    }

    private static string Overshoot(IEnumerable<OvershootResult> group, string contender)
    {
        var result = group.Single(o => o.Contender == contender);
        return Invariant($"{result.Granted} / {result.Stored} / **{result.Overshoot}**");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class NamedContender(string name, IContender inner) : IContender
    {
        public string Name => name;

        public Task<bool> TryConsumeAsync(string subjectId, Quota quota) => inner.TryConsumeAsync(subjectId, quota);
    }
}
