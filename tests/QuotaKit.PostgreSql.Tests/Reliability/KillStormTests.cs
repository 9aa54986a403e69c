using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// The cost of a kill storm: every 200 ms every server session of the tracker is terminated while 12 workers call it.
/// Sessions are counted by the server (<c>pg_stat_database</c>) on a server of the class's own; the throughput is printed
/// for the record, never asserted.
/// </summary>
/// <remarks>
/// Measured: about 1.8 new sessions per terminated backend, with or without the store's own pool clear before its retry
/// (<see cref="PostgreSqlUsageStore.PrepareRetry"/>): the extra sessions end normally (closed by the client), and it is
/// Npgsql that closes them. When a connection breaks on a terminated session (57P01) or an I/O error, Npgsql clears the
/// whole pool itself, so the live connections other callers opened since the last kill go too
/// (<see cref="Npgsql_closes_every_idle_pooled_connection_when_one_session_is_terminated"/>).
/// </remarks>
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
        var endsBefore = await SessionEndsAsync(saboteur);

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
        var ends = (await SessionEndsAsync(saboteur)).Zip(endsBefore, (a, b) => a - b).ToArray();
        var summary = await LoadRunLedger.VerifyAsync(_database.ConnectionString, run);
        var perKilled = (double)sessions / killed;
        var calm = await CallsPerSecondWithoutKillsAsync(settings); // after the ledger check: it adds to the same counters
        _output.WriteLine(
            $"kill every {KillEvery.TotalMilliseconds} ms: backends terminated {killed}, new sessions {sessions} " +
            $"({perKilled:F2} per terminated backend; ended killed {ends[0]}, abandoned {ends[1]}, fatal {ends[2]}), throughput {run.Attempts / elapsed.Elapsed.TotalSeconds:F0} calls/s (without kills {calm:F0}); {summary}");

        killed.Should().BeGreaterThan(20, "the storm must have hit live sessions");
        // Each terminated backend costs its replacement plus, through Npgsql's pool clear, about one live connection opened
        // since the last kill; more would mean connections churn for another reason (e.g. a retry loop reconnecting).
        sessions.Should().BeLessThanOrEqualTo((long)(killed * 2.5) + settings.Workers + 2);
    }

    [Fact]
    public async Task Npgsql_closes_every_idle_pooled_connection_when_one_session_is_terminated()
    {
        await using var dataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(_database.ConnectionString) { ApplicationName = ApplicationName + "-pin" }.ConnectionString);
        await using var saboteur = new NpgsqlConnection(_database.ConnectionString);
        await saboteur.OpenAsync();
        var broken = await dataSource.OpenConnectionAsync();
        var idlePids = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            await using var idle = await dataSource.OpenConnectionAsync();
            idlePids.Add(idle.ProcessID);
        }

        await TerminateAsync(saboteur, broken.ProcessID);
        var use = async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", broken);
            await command.ExecuteScalarAsync();
        };
        await use.Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == PostgresErrorCodes.AdminShutdown);
        await broken.DisposeAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", saboteur);
        alive.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. idlePids] });
        ((long)(await alive.ExecuteScalarAsync())!).Should().Be(0,
            "Npgsql cleared its pool when one connection broke, closing idle connections whose sessions were alive");
    }

    /// <summary>The same load for a few seconds without a fault, so the storm's throughput has a baseline beside it.</summary>
    private async Task<double> CallsPerSecondWithoutKillsAsync(LoadRunSettings settings)
    {
        var calm = settings with { MaxDuration = TimeSpan.FromSeconds(4) };
        await using var host = await LoadRunHost.CreateAsync(_database.ConnectionString, calm, ApplicationName + "-calm");
        var run = new LoadRun(host.Tracker, calm);
        var elapsed = Stopwatch.StartNew();
        await run.RunAsync();
        return run.Attempts / elapsed.Elapsed.TotalSeconds;
    }

    private static async Task TerminateAsync(NpgsqlConnection saboteur, int pid)
    {
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend($1)", saboteur);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        await command.ExecuteScalarAsync();
    }

    private static async Task<int> TerminateAllAsync(NpgsqlConnection saboteur)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
            saboteur);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ApplicationName });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long[]> SessionEndsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT ARRAY[sessions_killed, sessions_abandoned, sessions_fatal] FROM pg_stat_database WHERE datname = current_database()",
            connection);
        return (long[])(await command.ExecuteScalarAsync())!;
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
