using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;
using QuotaKit.PostgreSql;

namespace QuotaKit.Benchmarks.CreditBlocks;

/// <summary>One contender's figures at one concurrency.</summary>
internal sealed record CreditBlockResult(int Concurrency, string Contender, RoundResult Round);

/// <summary>
/// What credit blocks cost (issue 15), in the same run, in interleaved slices, on 10,000 warm subjects per contender: the
/// raw prepared record_usage_v2 call (the baseline of every suite); TryConsumeAsync for subjects without blocks; for
/// subjects with three active blocks that the plan still covers (the write only reads the blocks' remaining); for
/// subjects with three active blocks whose plan is spent, so that every call locks the blocks and burns one unit; and
/// ReserveAsync + CommitAsync against one TryConsume. One operation = one unit used.
/// </summary>
internal sealed class CreditBlockSuite : IAsyncDisposable
{
    public const string Raw = "Raw Npgsql (TryConsume SQL)";
    public const string NoBlocks = "TryConsume, no blocks";
    public const string BlocksUnused = "TryConsume, 3 blocks, plan covers";
    public const string BlocksBurned = "TryConsume, 3 blocks burned";
    public const string ReserveCommit = "Reserve + Commit";

    // A feature whose plan allows nothing: every unit comes from the blocks.
    private const string Credited = "credited";
    private const long BlockUnits = 1_000_000_000_000;

    private static readonly int[] Concurrencies = [1, 16];

    private readonly BenchmarkOptions _options;
    private readonly Workload _workload;
    private readonly ServiceProvider _quotaKit;
    private readonly NpgsqlDataSource _raw;
    private readonly (string Key, string Name, Func<string, Task<bool>> Call)[] _contenders;

    public CreditBlockSuite(BenchmarkOptions options, Workload workload, string connectionString)
    {
        _options = options;
        _workload = workload;
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .UseClock(workload.Clock)
            .AddFeature(Workload.Unbounded.FeatureKey, PeriodPolicy.Day)
            .AddFeature(Credited, PeriodPolicy.Day)
            .AddPlan("bench", p => p.Limit(Workload.Unbounded.FeatureKey, Workload.Unbounded.Limit).Limit(Credited, 0))
            .UseDefaultPlan("bench")
            .Configure(o => o.SubjectCacheDuration = Duration.FromHours(1)))
            .UsePostgreSql(connectionString);
        _quotaKit = services.BuildServiceProvider();
        _raw = NpgsqlDataSource.Create(connectionString);
        var raw = new RawNpgsqlContender(_raw, workload);
        var tracker = _quotaKit.GetRequiredService<IUsageTracker>();
        var reservations = _quotaKit.GetRequiredService<IUsageReservations>();
        _contenders =
        [
            ("raw", Raw, subject => raw.TryConsumeAsync(subject, Workload.Unbounded)),
            ("none", NoBlocks, async subject => (await tracker.TryConsumeAsync(subject, Workload.Unbounded.FeatureKey)).Allowed),
            ("unused", BlocksUnused, async subject => (await tracker.TryConsumeAsync(subject, Workload.Unbounded.FeatureKey)).Allowed),
            ("burned", BlocksBurned, async subject => (await tracker.TryConsumeAsync(subject, Credited)).Allowed),
            ("reserve", ReserveCommit, async subject =>
            {
                var reserved = await reservations.ReserveAsync(subject, Workload.Unbounded.FeatureKey, 1, Duration.FromMinutes(5));
                await reservations.CommitAsync(reserved.Reservation!, 1);
                return reserved.Granted;
            }),
        ];
    }

    public List<CreditBlockResult> Results { get; } = [];

    public async Task RunAsync()
    {
        Console.WriteLine("Credit blocks: three blocks for each of 10,000 subjects of two contenders...");
        var admin = _quotaKit.GetRequiredService<IQuotaAdministration>();
        foreach (var (key, feature) in new[] { ("unused", Workload.Unbounded.FeatureKey), ("burned", Credited) })
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
            {
                var subject = _workload.Subject(key, "cmany", i);
                await admin.AddCreditBlockAsync(subject, feature, BlockUnits, validUntil: _workload.Now + Duration.FromDays(30), cancellationToken: cancellationToken);
                await admin.AddCreditBlockAsync(subject, feature, BlockUnits, validUntil: _workload.Now + Duration.FromDays(60), cancellationToken: cancellationToken);
                await admin.AddCreditBlockAsync(subject, feature, BlockUnits, priority: 1, cancellationToken: cancellationToken);
            });
        }

        Console.WriteLine("Credit blocks: warming up 10,000 subjects per contender...");
        foreach (var (key, _, call) in _contenders)
        {
            await Parallel.ForAsync(0, Workload.ManySubjects, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                if (!await call(_workload.Subject(key, "cmany", i)))
                {
                    throw new InvalidOperationException($"{key}: the warm-up call of subject {i} was refused.");
                }
            });
        }

        foreach (var concurrency in Concurrencies)
        {
            var rounds = await InterleavedSlices.RunAsync(_options, concurrency, [.. _contenders.Select(contender =>
                (Func<int, Task<bool>>)(r => contender.Call(_workload.Subject(contender.Key, "cmany", r % Workload.ManySubjects))))]);
            for (var c = 0; c < _contenders.Length; c++)
            {
                var result = new CreditBlockResult(concurrency, _contenders[c].Name, rounds[c]);
                Results.Add(result);
                Console.WriteLine($"  c={concurrency,-3} {result.Contender,-36} {result.Round.OpsPerSecond,9:F0} ops/s  p50 {result.Round.P50Ms,7:F2} ms  p99 {result.Round.P99Ms,7:F2} ms");
            }
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Callers | Contender | ops/s | / raw | / TryConsume without blocks | p50 / p99 ms |");
        text.AppendLine("|--:|---|--:|--:|--:|--:|");
        foreach (var group in Results.GroupBy(r => r.Concurrency))
        {
            var raw = group.Single(r => r.Contender == Raw).Round;
            var none = group.Single(r => r.Contender == NoBlocks).Round;
            foreach (var result in group)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group.Key} | {result.Contender} | {result.Round.OpsPerSecond:N0} | {result.Round.OpsPerSecond / raw.OpsPerSecond:F2} | {result.Round.OpsPerSecond / none.OpsPerSecond:F2} | {result.Round.P50Ms:F2} / {result.Round.P99Ms:F2} |"));
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _quotaKit.DisposeAsync();
        await _raw.DisposeAsync();
    }
}
