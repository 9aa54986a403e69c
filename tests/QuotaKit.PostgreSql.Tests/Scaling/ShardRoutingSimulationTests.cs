using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Scaling;

/// <summary>
/// A simulation of what Citus would do with QuotaKit distributed by <c>subject_id</c> (docs/scaling.md): three databases
/// stand for three workers, and every call goes to the one that holds its subject (a stable hash of the id), as Citus
/// routes a statement or a delegated function call by its distribution argument. The same workload also runs on one
/// database. If any call needed another subject's rows (a read, a lock, a key), the sharded run would answer differently;
/// it answers the same, call by call and in every subject's usage and history.
/// </summary>
public class ShardRoutingSimulationTests
{
    private const int Shards = 3;
    private const int Subjects = 24;
    private static readonly Instant Monday0900 = Instant.FromUtc(2025, 3, 10, 9, 0);

    [Fact]
    public async Task A_workload_routed_by_subject_to_three_databases_answers_as_one_database_does()
    {
        var databases = new List<TestDatabase>();
        var hosts = new List<(TrackerUnderTest Host, FakeClock Clock)>();
        try
        {
            for (var i = 0; i <= Shards; i++)
            {
                var database = await TestDatabase.CreateAsync(i < Shards ? $"shard_{i}" : "unsharded");
                await QuotaKitContexts.MigrateAsync(database.ConnectionString);
                databases.Add(database);
                var clock = new FakeClock(Monday0900);
                hosts.Add((TrackerHost.Create(database.ConnectionString, clock, Catalog), clock));
            }

            var unsharded = hosts[Shards];
            var sharded = new ShardRouter(hosts.Take(Shards).ToList());

            var shardedAnswers = await RunWorkloadAsync(sharded.For, sharded.Clocks);
            var unshardedAnswers = await RunWorkloadAsync(_ => unsharded.Host, [unsharded.Clock]);

            shardedAnswers.Should().Equal(unshardedAnswers, "each call answers as on one database");
            Enumerable.Range(0, Subjects).Select(s => ShardRouter.ShardOf(SubjectId(s))).Distinct().Should().HaveCount(Shards,
                "the subjects were spread over every shard");
        }
        finally
        {
            foreach (var (host, _) in hosts)
            {
                await host.DisposeAsync();
            }

            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    /// <summary>Every kind of call, for each subject on its shard; returns what each call answered, in order, and then
    /// each subject's usage and history.</summary>
    private static async Task<List<string>> RunWorkloadAsync(Func<string, TrackerUnderTest> route, IReadOnlyList<FakeClock> clocks)
    {
        var answers = new List<string>();
        for (var s = 0; s < Subjects; s++)
        {
            var subject = SubjectId(s);
            var host = route(subject);
            if (s % 3 == 0)
            {
                await host.Admin.SetPlanAsync(subject, "pro");
            }

            if (s % 4 == 0)
            {
                await host.Admin.AddGrantAsync(subject, "images", 2, Monday0900, Monday0900 + Duration.FromDays(1));
            }

            answers.Add(Describe(await host.Tracker.TryConsumeAsync(subject, "images", 1 + (s % 4), UsageOptions.WithIdempotencyKey("k1"))));
            answers.Add(Describe(await host.Tracker.TryConsumeAsync(subject, "images", 1 + (s % 4), UsageOptions.WithIdempotencyKey("k1"))));
            answers.Add(Describe(await host.Tracker.IncrementAsync(subject, "tokens", 100 * (s + 1))));
            answers.Add(Describe(await host.Tracker.RefundAsync(subject, "tokens", 30)));
            var reserved = await host.Reservations.ReserveAsync(subject, "images", 2, Duration.FromMinutes(5));
            answers.Add(Describe(reserved.Decision));
            if (reserved.Reservation is { } reservation)
            {
                var settled = s % 2 == 0 ? await host.Reservations.CommitAsync(reservation, 1) : await host.Reservations.ReleaseAsync(reservation);
                answers.Add($"{settled.State} {settled.CommittedAmount} {settled.Used}");
            }

            if (s % 5 == 0)
            {
                answers.Add($"reset {await host.Admin.ResetAsync(subject, "tokens")}");
            }
        }

        // One multi-subject batch, split by shard as a coalescer on Citus would group it (one transaction per worker).
        var records = Enumerable.Range(0, Subjects).Select(s => new UsageRecord(SubjectId(s), "tokens", 7 + s)).ToList();
        foreach (var group in records.GroupBy(r => route(r.SubjectId)))
        {
            var results = await group.Key.Services.GetRequiredService<IUsageMeter>().RecordAsync(group.ToList());
            answers.AddRange(results.Select(r => $"batch {r.Record.SubjectId} {Describe(r.Decision!)}"));
        }

        foreach (var clock in clocks)
        {
            clock.SetTo(Monday0900 + Duration.FromMinutes(30));
        }

        for (var s = 0; s < Subjects; s++)
        {
            var subject = SubjectId(s);
            var host = route(subject);
            answers.AddRange((await host.Tracker.GetUsageAsync(subject)).Select(u => $"usage {subject} {u.FeatureKey} {u.Used} {u.Limit} {u.Period}"));
            answers.AddRange((await host.Tracker.GetHistoryAsync(subject, "tokens", Monday0900 - Duration.FromDays(1), Monday0900 + Duration.FromDays(1)))
                .Select(u => $"history {subject} {u.Used} {u.Period}"));
        }

        return answers.OrderBy(a => a, StringComparer.Ordinal).ToList();
    }

    private static string Describe(UsageDecision decision) =>
        $"{decision.SubjectId} {decision.FeatureKey} {decision.Outcome} {decision.Used} {decision.Limit} {decision.Period} {decision.IsReplay}";

    private static string SubjectId(int s) => $"org-{s}";

    private static void Catalog(QuotaKitBuilder quota) => quota
        .AddFeature("images", PeriodPolicy.Day)
        .AddFeature("tokens", PeriodPolicy.Month)
        .AddPlan("free", p => p.Limit("images", 5).SoftLimit("tokens", 10_000))
        .AddPlan("pro", p => p.Limit("images", 50).Unlimited("tokens"))
        .UseDefaultPlan("free");

    /// <summary>Routes a subject to one of the shards by a stable hash of its id (FNV-1a), as Citus hashes the distribution column.</summary>
    private sealed class ShardRouter(IReadOnlyList<(TrackerUnderTest Host, FakeClock Clock)> shards)
    {
        public IReadOnlyList<FakeClock> Clocks { get; } = shards.Select(s => s.Clock).ToList();

        public TrackerUnderTest For(string subjectId) => shards[ShardOf(subjectId)].Host;

        public static int ShardOf(string subjectId)
        {
            var hash = 2166136261u;
            foreach (var c in subjectId)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)(hash % Shards);
        }
    }
}
