using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Calls cancelled at random points (before sending, while the statement runs, while the answer is read) either applied
/// completely or not at all: per key, the ledger and the counter agree, and a retry with the key settles every call once.
/// </summary>
public class CancellationTests : IClassFixture<MigratedDatabase>
{
    private const int Calls = 300;
    private const int Wave = 20;
    private readonly MigratedDatabase _database;
    private readonly ITestOutputHelper _output;

    public CancellationTests(MigratedDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task A_cancelled_call_applies_fully_or_not_at_all()
    {
        var settings = new LoadRunSettings { KeyedSubjects = 3, KeylessSubjects = 0 };
        await using var host = await LoadRunHost.CreateAsync(_database.ConnectionString, settings);
        var subjects = settings.KeyedSubjectIds.ToArray();
        int cancelled = 0, completed = 0;
        for (var wave = 0; wave < Calls / Wave; wave++)
        {
            var start = new StartingGate(Wave);
            var calls = Enumerable.Range(wave * Wave, Wave).Select(i => Task.Run(async () =>
            {
                await start.ArriveAndWaitAsync();
                using var cancel = new CancellationTokenSource(TimeSpan.FromMicroseconds(Random.Shared.Next(0, 8_000)));
                try
                {
                    await host.Tracker.TryConsumeAsync(subjects[i % subjects.Length], LoadRunSettings.Feature, 1 + (i % 5),
                        UsageOptions.WithIdempotencyKey($"key-{i}"), cancel.Token);
                    Interlocked.Increment(ref completed);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                }
            })).ToArray();
            await Task.WhenAll(calls);
        }

        await AssertLedgerMatchesCountersAsync(subjects);

        // Retrying every call with its key now applies the cancelled-and-not-applied ones, and nothing twice.
        for (var i = 0; i < Calls; i++)
        {
            var decision = await host.Tracker.TryConsumeAsync(
                subjects[i % subjects.Length], LoadRunSettings.Feature, 1 + (i % 5), UsageOptions.WithIdempotencyKey($"key-{i}"));
            decision.Allowed.Should().BeTrue();
        }

        await AssertLedgerMatchesCountersAsync(subjects);
        var total = await ScalarAsync("SELECT coalesce(sum(used), 0)::bigint FROM quotakit.usage_counters WHERE subject_id = ANY($1)", subjects);
        total.Should().Be(Enumerable.Range(0, Calls).Sum(i => 1 + (i % 5)), "after the retries every call applied exactly once");
        _output.WriteLine($"calls {Calls}: completed {completed}, cancelled {cancelled}; after retries used {total}");
        cancelled.Should().BePositive("some calls must actually have been cancelled");
        completed.Should().BePositive("some calls must have completed despite the token");
    }

    private async Task AssertLedgerMatchesCountersAsync(string[] subjects)
    {
        var mismatches = await ScalarAsync(
            """
            SELECT count(*) FROM unnest($1::text[]) AS s(subject_id)
            WHERE coalesce((SELECT sum(used) FROM quotakit.usage_counters c WHERE c.subject_id = s.subject_id), 0)
               <> coalesce((SELECT sum(amount) FROM quotakit.usage_events e WHERE e.subject_id = s.subject_id AND e.outcome = 0), 0)
            """, subjects);
        mismatches.Should().Be(0, "every subject's counter equals the sum of its applied ledger events");
        var halfWritten = await ScalarAsync(
            "SELECT count(*) FROM quotakit.usage_events WHERE subject_id = ANY($1) AND outcome = 0 AND used_after = 0", subjects);
        halfWritten.Should().Be(0, "no claimed key is left without its completed event");
    }

    private async Task<long> ScalarAsync(string sql, string[] subjects)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = subjects });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
