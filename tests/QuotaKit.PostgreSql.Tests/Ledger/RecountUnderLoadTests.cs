using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Ledger;

/// <summary>
/// Counters corrupted by hand while usage calls keep writing them, then repaired while the calls go on: the repair must
/// take the hot path's row lock, or a call committed between its read and its write is lost (or counted twice).
/// </summary>
public class RecountUnderLoadTests : IClassFixture<MigratedDatabase>
{
    private const int Subjects = 4;
    private const int Callers = 8;
    private readonly MigratedDatabase _database;

    public RecountUnderLoadTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Repairing_corrupted_counters_during_load_loses_no_usage_call_and_leaves_every_counter_equal_to_its_ledger()
    {
        // Two service providers: the callers' and the maintainer's, as an app and the quotakit tool would be.
        await using var app = Create();
        await using var maintainer = Create();
        var allowed = new ConcurrentDictionary<string, long>();
        var calls = 0;
        using var stop = new CancellationTokenSource();
        var gate = new StartingGate(Callers);
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            await gate.ArriveAndWaitAsync();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var subject = $"load-{(caller + i) % Subjects}";
                var amount = 1 + (i % 3);
                // Every third call carries an idempotency key: its event row is claimed before the counter's lock.
                var options = i % 3 == 0 ? new UsageOptions { IdempotencyKey = $"{caller}-{i}" } : null;
                var decision = i % 2 == 0
                    ? await app.Tracker.TryConsumeAsync(subject, "images", amount, options)
                    : await app.Tracker.IncrementAsync(subject, "images", amount, options);
                if (decision.Allowed)
                {
                    allowed.AddOrUpdate(subject, amount, (_, sum) => sum + amount);
                }

                Interlocked.Increment(ref calls);
            }
        })).ToList();

        await WaitForCallsAsync(() => Volatile.Read(ref calls), 300);
        await using (var corrupt = _database.DataSource.CreateCommand("UPDATE quotakit.usage_counters SET used = used + 1000 WHERE subject_id LIKE 'load-%'"))
        {
            (await corrupt.ExecuteNonQueryAsync()).Should().Be(Subjects);
        }

        var repaired = await maintainer.Services.GetRequiredService<IUsageRecounter>()
            .RecountAsync(RecountScope.ForFeature("images"), new RecountOptions { Repair = true });
        var callsAtRepair = Volatile.Read(ref calls);
        await WaitForCallsAsync(() => Volatile.Read(ref calls), callsAtRepair + 300);
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        var final = await maintainer.Services.GetRequiredService<IUsageRecounter>().RecountAsync(RecountScope.ForFeature("images"));

        repaired.Discrepancies.Should().HaveCount(Subjects);
        repaired.Discrepancies.Should().OnlyContain(d => d.RepairedTo != null && d.Stored - d.RepairedTo == 1000);
        final.Discrepancies.Should().BeEmpty();
        final.CountersChecked.Should().Be(Subjects);
        (await StoredAsync()).Should().BeEquivalentTo(allowed, "every allowed call is counted once, before and after the repair");
    }

    private TrackerUnderTest Create() => TrackerUnderTest.Build(
        q => q.UseClock(new FakeClock(Instant.FromUtc(2025, 6, 10, 12, 0)))
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 1_000_000_000))
            .UseDefaultPlan("free")
            .UsePostgreSql(_database.ConnectionString, o => o.RecordAllEvents = true),
        services => services.AddLogging());

    private static async Task WaitForCallsAsync(Func<int> calls, int atLeast)
    {
        // Progress of the load, not a timing assertion: the deadline only stops a hung test.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (calls() < atLeast)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the callers make progress");
            await Task.Delay(10);
        }
    }

    private async Task<Dictionary<string, long>> StoredAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT subject_id, used FROM quotakit.usage_counters WHERE subject_id LIKE 'load-%'");
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = reader.GetInt64(1);
        }

        return stored;
    }
}
