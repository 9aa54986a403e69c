using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// The cost of a kill storm: every 200 ms every server session of the tracker is terminated while 12 workers call it. A
/// terminated backend should cost one new session (its replacement), not more: a store that clears the whole pool after
/// each failure also throws away the fresh connections other callers just opened, and the server sees about two new
/// sessions per terminated backend. Sessions are counted by the server (<c>pg_stat_database.sessions</c>) on a server of
/// the class's own; the throughput is printed for the record, never asserted.
/// </summary>
public class KillStormTests : IClassFixture<OwnServerDatabase>
{
    private static readonly TimeSpan KillEvery = TimeSpan.FromMilliseconds(200);
    private static readonly string ApplicationName = $"quotakit-storm-{Guid.NewGuid():N}"[..40];
    private readonly OwnServerDatabase _database;
    private readonly ITestOutputHelper _output;

    public KillStormTests(OwnServerDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task Each_terminated_session_is_replaced_once_not_twice()
    {
        var settings = new LoadRunSettings { Workers = 12, MaxCallsPerWorker = 100_000, MaxDuration = TimeSpan.FromSeconds(8) };
        await using var saboteur = new NpgsqlConnection(_database.ConnectionString);
        await saboteur.OpenAsync();
        var sessionsBefore = await SessionsAsync(saboteur);

        var killed = 0;
        var elapsed = Stopwatch.StartNew();
        LoadRun run;
        await using (var host = await LoadRunHost.CreateAsync(_database.ConnectionString, settings, ApplicationName))
        {
            run = new LoadRun(host.Tracker, settings);
            var running = run.RunAsync();
            while (!running.IsCompleted)
            {
                await Task.Delay(KillEvery);
                killed += await TerminateAllAsync(saboteur);
            }

            await running;
            elapsed.Stop();
            await run.SettleAsync();
        }

        // The host is disposed: its backends have exited and reported their sessions.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var sessions = await SessionsAsync(saboteur) - sessionsBefore;
        var summary = await LoadRunLedger.VerifyAsync(_database.ConnectionString, run);
        var perKilled = (double)sessions / killed;
        _output.WriteLine(
            $"kill every {KillEvery.TotalMilliseconds} ms: backends terminated {killed}, new sessions {sessions} " +
            $"({perKilled:F2} per terminated backend), throughput {run.Attempts / elapsed.Elapsed.TotalSeconds:F0} calls/s; {summary}");

        killed.Should().BeGreaterThan(20, "the storm must have hit live sessions");
        // One replacement per terminated backend, plus the pool's first connections (at most one per worker) and the
        // ledger's check; clearing the whole pool on each failure makes it about two per terminated backend.
        sessions.Should().BeLessThanOrEqualTo((long)(killed * 1.3) + settings.Workers + 2);
    }

    private static async Task<int> TerminateAllAsync(NpgsqlConnection saboteur)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
            saboteur);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ApplicationName });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> SessionsAsync(NpgsqlConnection connection)
    {
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("SELECT sessions FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
