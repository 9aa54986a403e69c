using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// While consumers run, a saboteur repeatedly terminates every server session of the tracker (<c>pg_terminate_backend</c>),
/// also in the middle of <c>record_usage</c>. Callers see only <see cref="QuotaStoreUnavailableException"/>; keyed retries
/// never double count; nothing acknowledged is lost.
/// </summary>
public class TerminatedConnectionTests : IClassFixture<MigratedDatabase>
{
    private const int Terminations = 25;
    private static readonly string ApplicationName = $"quotakit-terminated-{Guid.NewGuid():N}"[..40];
    private readonly MigratedDatabase _database;
    private readonly ITestOutputHelper _output;

    public TerminatedConnectionTests(MigratedDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task Sessions_terminated_during_a_load_run_lose_nothing_and_count_nothing_twice()
    {
        var settings = new LoadRunSettings { Workers = 12, MaxCallsPerWorker = 150, MaxDuration = TimeSpan.FromSeconds(15) };
        await using var host = await LoadRunHost.CreateAsync(_database.ConnectionString, settings, ApplicationName);
        var run = new LoadRun(host.Tracker, settings);

        var running = run.RunAsync();
        var terminated = await TerminateRepeatedlyAsync(running);
        await running;
        await run.SettleAsync();

        var summary = await LoadRunLedger.VerifyAsync(_database.ConnectionString, run);
        _output.WriteLine($"terminations {Terminations} rounds, sessions killed {terminated}; {summary}");
        terminated.Should().BePositive("the saboteur must have hit live sessions");
        run.Errors.Should().BePositive("terminated sessions must surface as typed errors");
    }

    private async Task<int> TerminateRepeatedlyAsync(Task running)
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ApplicationName });
        var killed = 0;
        for (var round = 0; round < Terminations && !running.IsCompleted; round++)
        {
            await Task.Delay(Random.Shared.Next(20, 120));
            killed += (int)(long)(await command.ExecuteScalarAsync())!;
        }

        return killed;
    }
}
