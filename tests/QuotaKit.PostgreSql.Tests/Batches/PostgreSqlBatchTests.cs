using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Batches;

/// <summary>
/// What only a store with transactions and row locks shows about batches: a chunk is one transaction, and batches of
/// two app instances that touch the same counters in any order never deadlock. (The shared behaviour suite covers the
/// semantics per record on both stores.)
/// </summary>
public sealed class PostgreSqlBatchTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);

    private readonly MigratedDatabase _database;

    public PostgreSqlBatchTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_store_failure_inside_a_chunk_writes_nothing_of_that_chunk_and_the_chunks_before_it_stand()
    {
        var subject = $"chunked-{Guid.NewGuid():N}";
        var poison = $"zz-poison-{Guid.NewGuid():N}"; // sorted last: the chunk's other records are processed before it fails
        await using (await RefuseAsync("poison", "INSERT", "usage_counters", $"NEW.subject_id = '{poison}'", "poisoned subject"))
        {
            await using var host = Host(out _);
            var records = Enumerable.Range(0, IUsageMeter.ChunkSize + 10).Select(_ => new UsageRecord(subject, "calls")).ToList();
            records.Add(new UsageRecord(poison, "calls"));

            var results = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(records);

            results.Take(IUsageMeter.ChunkSize).Should().OnlyContain(r => r.Succeeded);
            results.Skip(IUsageMeter.ChunkSize).Should().OnlyContain(r =>
                r.Error is QuotaStoreUnavailableException && !((QuotaStoreUnavailableException)r.Error).OutcomeUnknown);
            (await host.Tracker.GetUsageAsync(subject)).Single().Used.Should().Be(IUsageMeter.ChunkSize);
        }
    }

    /// <summary>
    /// A batch first gives back its counters' expired holds, then decides its records. Both are one transaction, as in a
    /// single call: if the release fails, the chunk's records are not written either, so "nothing written" is true.
    /// </summary>
    [Fact]
    public async Task A_failing_release_of_expired_holds_writes_nothing_of_its_chunk_and_says_so()
    {
        var subject = $"beside-{Guid.NewGuid():N}";
        var held = $"held-{Guid.NewGuid():N}";
        await using (await RefuseAsync("refuse_release", "UPDATE", "usage_holds", $"OLD.subject_id = '{held}'", "the release is refused"))
        {
            var clock = new FakeClock(Noon);
            await using var host = TrackerUnderTest.Build(q => q
                .UseClock(clock)
                .AddFeature("calls", PeriodPolicy.Day)
                .AddPlan("free", p => p.Unlimited("calls"))
                .UseDefaultPlan("free")
                .UsePostgreSql(_database.ConnectionString));
            (await host.Services.GetRequiredService<IUsageReservations>().ReserveAsync(held, "calls", 1, Duration.FromMinutes(1)))
                .Granted.Should().BeTrue();
            clock.Advance(Duration.FromMinutes(2)); // the hold has expired: the batch's release updates it, and the trigger fails

            var results = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
                [new UsageRecord(subject, "calls", 5), new UsageRecord(held, "calls", 7)]);

            results.Should().OnlyContain(r =>
                r.Error is QuotaStoreUnavailableException && !((QuotaStoreUnavailableException)r.Error).OutcomeUnknown);
            results[0].Error!.Message.Should().Contain("a batch of 2 writes", "the failure names what failed");
            (await host.Tracker.GetUsageAsync(subject)).Should().OnlyContain(u => u.Used == 0, "the chunk was reported as not written");
            (await host.Tracker.GetUsageAsync(held)).Single().Used.Should().Be(1, "only the hold, which no release gave back");
        }
    }

    [Fact]
    public async Task Batches_of_two_instances_that_touch_the_same_counters_in_opposite_orders_never_deadlock()
    {
        const int Workers = 4, Rounds = 25;
        var subjects = Enumerable.Range(0, 6).Select(i => $"crossing-{i}-{Guid.NewGuid():N}").ToArray();
        await using var first = Host(out var firstStore);
        await using var second = Host(out var secondStore);
        foreach (var subject in subjects)
        {
            await first.Tracker.IncrementAsync(subject, "calls"); // the counter rows exist: the batches lock them
        }

        var gate = new StartingGate(2 * Workers);
        var runs = new[] { first, second }.SelectMany((host, h) => Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var meter = host.Services.GetRequiredService<IUsageMeter>();
            var random = new Random((h * Workers) + w);
            await gate.ArriveAndWaitAsync();
            for (var round = 0; round < Rounds; round++)
            {
                // Each batch names the counters in its own order (the first instance forwards, the second backwards, shuffled).
                var order = h == 0 ? subjects.OrderBy(_ => random.Next()).ToArray() : subjects.OrderBy(_ => random.Next()).Reverse().ToArray();
                var results = await meter.RecordAsync(order.Select(s => new UsageRecord(s, "calls")).ToList());
                results.Should().OnlyContain(r => r.Succeeded);
            }
        }))).ToList();
        await Task.WhenAll(runs);

        firstStore.Failures.Concat(secondStore.Failures).Should().BeEmpty("a deadlock would fail a batch (and the retry would hide it)");
        foreach (var subject in subjects)
        {
            (await first.Tracker.GetUsageAsync(subject)).Single().Used.Should().Be(1 + (2 * Workers * Rounds));
        }
    }

    private TrackerUnderTest Host(out RecordingUsageStore store)
    {
        RecordingUsageStore? recording = null;
        var host = TrackerUnderTest.Build(q => q
            .UseClock(new FakeClock(Noon))
            .AddFeature("calls", PeriodPolicy.Day)
            .AddPlan("free", p => p.Unlimited("calls"))
            .UseDefaultPlan("free")
            .UsePostgreSql(_database.ConnectionString)
            .UseStore(
                p => recording = new RecordingUsageStore(new PostgreSqlUsageStore(
                    p.GetRequiredService<QuotaKitDataSource>(), p.GetRequiredService<IOptions<QuotaKitPostgreSqlOptions>>())),
                p => ActivatorUtilities.CreateInstance<PostgreSqlSubjectStore>(p)));
        _ = host.Tracker; // builds the store
        store = recording!;
        return host;
    }

    /// <summary>
    /// A trigger that fails (P0001, <paramref name="message"/>) every <paramref name="operation"/> of a row of
    /// <c>quotakit.<paramref name="table"/></c> matching <paramref name="when"/>, until the result is disposed.
    /// </summary>
    private async Task<IAsyncDisposable> RefuseAsync(string name, string operation, string table, string when, string message)
    {
        await ExecuteAsync(
            $"""
            CREATE FUNCTION pg_temp_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'P0001'; END $$;
            CREATE TRIGGER {name} BEFORE {operation} ON quotakit.{table} FOR EACH ROW
                WHEN ({when}) EXECUTE FUNCTION pg_temp_{name}();
            """);
        return new DropOnDispose(() => ExecuteAsync($"DROP TRIGGER {name} ON quotakit.{table}; DROP FUNCTION pg_temp_{name}();"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class DropOnDispose(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }
}
