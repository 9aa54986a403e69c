using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;

namespace QuotaKit.Benchmarks.Reservations;

/// <summary>One contender's figures at one concurrency.</summary>
internal sealed record ReservationResult(int Concurrency, string Contender, RoundResult Round);

/// <summary>
/// A reservation's cost against one TryConsume (issue 15), in the same run, in interleaved slices, on 10,000 warm
/// subjects: the raw prepared record_usage_v2 call (the baseline of every suite), QuotaKit's TryConsumeAsync (which calls
/// record_usage_v7: the subject check and the probe for expired holds, then version 2), and ReserveAsync followed by
/// CommitAsync (two round trips, two transactions). One operation = one unit used.
/// </summary>
internal sealed class ReservationSuite : IAsyncDisposable
{
    public const string Raw = "Raw Npgsql (TryConsume SQL)";
    public const string Consume = "QuotaKit TryConsume";
    public const string ReserveCommit = "QuotaKit Reserve + Commit";

    private static readonly int[] Concurrencies = [1, 16];
    private static readonly Duration Hold = Duration.FromMinutes(5);

    private readonly BenchmarkOptions _options;
    private readonly Workload _workload;
    private readonly ServiceProvider _quotaKit;
    private readonly NpgsqlDataSource _raw;
    private readonly (string Key, string Name, Func<string, Task<bool>> Call)[] _contenders;

    public ReservationSuite(BenchmarkOptions options, Workload workload, string connectionString)
    {
        _options = options;
        _workload = workload;
        _quotaKit = workload.CreateQuotaKit(connectionString);
        _raw = NpgsqlDataSource.Create(connectionString);
        var raw = new RawNpgsqlContender(_raw, workload);
        var tracker = _quotaKit.GetRequiredService<IUsageTracker>();
        var reservations = _quotaKit.GetRequiredService<IUsageReservations>();
        _contenders =
        [
            ("raw", Raw, subject => raw.TryConsumeAsync(subject, Workload.Unbounded)),
            ("consume", Consume, async subject => (await tracker.TryConsumeAsync(subject, Workload.Unbounded.FeatureKey)).Allowed),
            ("reserve", ReserveCommit, async subject =>
            {
                var reserved = await reservations.ReserveAsync(subject, Workload.Unbounded.FeatureKey, 1, Hold);
                await reservations.CommitAsync(reserved.Reservation!, 1);
                return reserved.Granted;
            }),
        ];
    }

    public List<ReservationResult> Results { get; } = [];

    public async Task RunAsync()
    {
        Console.WriteLine("Reservations: warming up 10,000 subjects per contender...");
        foreach (var (key, _, call) in _contenders)
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                await call(_workload.Subject(key, "rmany", i)));
        }

        foreach (var concurrency in Concurrencies)
        {
            var rounds = await InterleavedSlices.RunAsync(_options, concurrency, [.. _contenders.Select(contender =>
                (Func<int, Task<bool>>)(r => contender.Call(_workload.Subject(contender.Key, "rmany", r % Workload.ManySubjects))))]);
            for (var c = 0; c < _contenders.Length; c++)
            {
                var result = new ReservationResult(concurrency, _contenders[c].Name, rounds[c]);
                Results.Add(result);
                Console.WriteLine($"  c={concurrency,-3} {result.Contender,-28} {result.Round.OpsPerSecond,9:F0} ops/s  p50 {result.Round.P50Ms,7:F2} ms  p99 {result.Round.P99Ms,7:F2} ms");
            }
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Callers | Raw ops/s | TryConsume ops/s | Reserve + Commit ops/s | TryConsume / raw | Reserve + Commit / TryConsume | p50 / p99 ms TryConsume | p50 / p99 ms Reserve + Commit |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var group in Results.GroupBy(r => r.Concurrency))
        {
            var raw = group.Single(r => r.Contender == Raw).Round;
            var consume = group.Single(r => r.Contender == Consume).Round;
            var reserve = group.Single(r => r.Contender == ReserveCommit).Round;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {raw.OpsPerSecond:N0} | {consume.OpsPerSecond:N0} | {reserve.OpsPerSecond:N0} | {consume.OpsPerSecond / raw.OpsPerSecond:F2} | {reserve.OpsPerSecond / consume.OpsPerSecond:F2} | {consume.P50Ms:F2} / {consume.P99Ms:F2} | {reserve.P50Ms:F2} / {reserve.P99Ms:F2} |"));
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _quotaKit.DisposeAsync();
        await _raw.DisposeAsync();
    }
}
