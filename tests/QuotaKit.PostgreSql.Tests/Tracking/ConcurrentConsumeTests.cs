using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>Many tasks on many connections race on one counter: the hard limit is never overshot.</summary>
public class ConcurrentConsumeTests : IClassFixture<MigratedDatabase>
{
    private const int Consumers = 64;
    private static readonly Instant Now = Instant.FromUtc(2025, 6, 1, 12, 0);
    private readonly MigratedDatabase _database;

    public ConcurrentConsumeTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(3, 50)]
    [InlineData(7, 100)]
    public async Task Racing_consumers_on_a_counter_that_does_not_exist_yet_get_exactly_the_limit(int amount, int limit)
    {
        var subject = $"race-{amount}-{limit}";
        await using var host = TrackerHost.Create(_database.ConnectionString, new QuotaKit.Testing.FakeClock(Now), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", limit))
            .UseDefaultPlan("free"));
        var attempts = 10 * limit;
        var attemptsPerConsumer = (attempts + Consumers - 1) / Consumers;
        var start = new StartingGate(Consumers);

        var consumers = Enumerable.Range(0, Consumers).Select(_ => Task.Run(async () =>
        {
            await start.ArriveAndWaitAsync();
            var allowed = 0;
            for (var i = 0; i < attemptsPerConsumer; i++)
            {
                var decision = await host.Tracker.TryConsumeAsync(subject, "images", amount);
                decision.Used.Should().BeLessThanOrEqualTo(limit);
                allowed += decision.Allowed ? 1 : 0;
            }

            return allowed;
        })).ToList();
        var allowedCalls = (await Task.WhenAll(consumers)).Sum();

        var expectedCalls = limit / amount; // whole calls that fit under the limit
        allowedCalls.Should().Be(expectedCalls);
        (await ReadUsedAsync(subject)).Should().Be(expectedCalls * amount);
    }

    [Fact]
    public async Task Racing_calls_with_one_idempotency_key_apply_once_and_all_get_the_same_decision()
    {
        await using var host = TrackerHost.Create(_database.ConnectionString, new QuotaKit.Testing.FakeClock(Now), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 100))
            .UseDefaultPlan("free"));
        var start = new StartingGate(32);
        var options = UsageOptions.WithIdempotencyKey("request-42");

        var calls = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            await start.ArriveAndWaitAsync();
            return await host.Tracker.TryConsumeAsync("idempotent-subject", "images", 5, options);
        })).ToList();
        var decisions = await Task.WhenAll(calls);

        decisions.Should().OnlyContain(d => d.Allowed && d.Used == 5);
        decisions.Count(d => !d.IsReplay).Should().Be(1);
        (await ReadUsedAsync("idempotent-subject")).Should().Be(5);
    }

    private async Task<long> ReadUsedAsync(string subject)
    {
        await using var command = _database.DataSource.CreateCommand("SELECT sum(used)::bigint FROM quotakit.usage_counters WHERE subject_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = subject });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
