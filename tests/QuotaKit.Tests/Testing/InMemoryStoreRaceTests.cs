using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Testing;

/// <summary>
/// The in-memory store's writes are atomic under its lock. Its consume completes synchronously, so tasks released by a
/// gate barely overlap; real threads behind a <see cref="Barrier"/>, each calling in a tight loop, do race.
/// </summary>
public class InMemoryStoreRaceTests
{
    private const int Threads = 16;
    private const int AttemptsPerThread = 5_000;
    private const long Limit = 40_000; // half of the 80,000 attempts

    [Fact]
    public async Task Threads_racing_on_one_counter_never_take_more_than_the_limit()
    {
        await using var services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", Limit))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
        var tracker = services.GetRequiredService<IUsageTracker>();
        using var barrier = new Barrier(Threads);
        var allowed = new int[Threads];
        var failures = new Exception?[Threads];

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                barrier.SignalAndWait();
                for (var i = 0; i < AttemptsPerThread; i++)
                {
                    // Synchronous on purpose: the in-memory consume completes at once, and blocking keeps each thread racing.
                    allowed[t] += tracker.TryConsumeAsync("racer", "images").GetAwaiter().GetResult().Allowed ? 1 : 0;
                }
            }
            catch (Exception exception)
            {
                failures[t] = exception; // an unguarded dictionary can also throw or corrupt itself
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        failures.Should().OnlyContain(f => f == null);
        allowed.Sum().Should().Be((int)Limit);
        (await tracker.GetUsageAsync("racer")).Single().Used.Should().Be(Limit);
    }
}
