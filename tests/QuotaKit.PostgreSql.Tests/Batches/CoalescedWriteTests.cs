using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Batches;

/// <summary>
/// Coalesced writes (<see cref="QuotaKitPostgreSqlOptions.CoalesceWrites"/>) under real concurrency: two app instances,
/// many callers on one hot counter. The shared behaviour suite runs with coalescing on too
/// (<c>PostgreSqlCoalescedUsageTrackerBehaviourTests</c>).
/// </summary>
public sealed class CoalescedWriteTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);
    private const long Limit = 300;

    private readonly MigratedDatabase _database;

    public CoalescedWriteTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Callers_of_two_instances_racing_on_one_counter_share_batches_and_never_pass_the_limit()
    {
        const int CallersPerInstance = 32, CallsPerCaller = 15;
        var subject = $"hot-{Guid.NewGuid():N}";
        await using var first = Host();
        await using var second = Host();
        var gate = new StartingGate(2 * CallersPerInstance);
        var granted = 0;

        var callers = new[] { first, second }.SelectMany(host => Enumerable.Range(0, CallersPerInstance).Select(_ => Task.Run(async () =>
        {
            var tracker = host.Tracker;
            await gate.ArriveAndWaitAsync();
            for (var call = 0; call < CallsPerCaller; call++)
            {
                if ((await tracker.TryConsumeAsync(subject, "calls")).Allowed)
                {
                    Interlocked.Increment(ref granted);
                }
            }
        }))).ToList();
        await Task.WhenAll(callers);

        granted.Should().Be((int)Limit, "2 x 32 x 15 = 960 attempts on a limit of 300");
        (await first.Tracker.GetUsageAsync(subject)).Single().Used.Should().Be(Limit);
        Coalescer(first).Batches.Should().BePositive("callers that arrive while the batches in flight are busy go together");
        Coalescer(second).Batches.Should().BePositive();
    }

    [Fact]
    public async Task A_lone_write_is_sent_at_once_as_a_single_call()
    {
        await using var host = Host();

        var decision = await host.Tracker.TryConsumeAsync($"lone-{Guid.NewGuid():N}", "calls");

        decision.Used.Should().Be(1);
        (Coalescer(host).LoneWrites, Coalescer(host).Batches).Should().Be((1L, 0L), "nothing else was waiting, so nothing waited for company");
    }

    private static WriteCoalescer Coalescer(TrackerUnderTest host) =>
        ((PostgreSqlUsageStore)host.Services.GetRequiredService<UsageStore>()).Coalescer!;

    private TrackerUnderTest Host() =>
        TrackerUnderTest.Build(q => q
            .UseClock(new FakeClock(Noon))
            .AddFeature("calls", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("calls", Limit))
            .UseDefaultPlan("free")
            .UsePostgreSql(_database.ConnectionString, o => o.CoalesceWrites = true));
}
