using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Replicas;

/// <summary>
/// A throwaway primary with QuotaKit's schema in database <c>quotakit</c>, and a streaming standby of it made with
/// <c>pg_basebackup</c> (<see cref="LocalPostgresServer.StartStandbyAsync"/>). Their own clusters, so the base backup copies
/// one small database, not every test's.
/// </summary>
public sealed class StreamingReplica : IAsyncLifetime
{
    private LocalPostgresServer? _primary;
    private LocalPostgresServer? _standby;

    public string PrimaryConnectionString => Primary.GetConnectionString("quotakit");

    public string StandbyConnectionString => Standby.GetConnectionString("quotakit");

    public LocalPostgresServer Primary => _primary ?? throw new InvalidOperationException("Not started.");

    public LocalPostgresServer Standby => _standby ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        // Durable, as in production: a commit flushes its WAL, which is what a walsender streams (with asynchronous
        // commits the standby would trail by the WAL writer's delay).
        _primary = await LocalPostgresServer.StartAsync(new LocalPostgresOptions { Durable = true });
        await using (var connection = new NpgsqlConnection(_primary.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE quotakit", connection);
            await create.ExecuteNonQueryAsync();
        }

        await Infrastructure.QuotaKitContexts.MigrateAsync(PrimaryConnectionString);
        _standby = await _primary.StartStandbyAsync();
    }

    /// <summary>Stops replaying WAL on the standby: it keeps answering, as of the moment it paused.</summary>
    public Task PauseReplayAsync() => ExecuteOnStandbyAsync("SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => ExecuteOnStandbyAsync("SELECT pg_wal_replay_resume()");

    /// <summary>Waits until the standby has replayed everything the primary has written so far (bounded: 30 s).</summary>
    public async Task WaitUntilCaughtUpAsync()
    {
        string target;
        await using (var primary = new NpgsqlConnection(PrimaryConnectionString))
        {
            await primary.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", primary);
            target = (string)(await command.ExecuteScalarAsync())!;
        }

        await using var standby = new NpgsqlConnection(StandbyConnectionString);
        await standby.OpenAsync();
        await using var replayed = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", standby) { Parameters = { new() { Value = target } } };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(bool)(await replayed.ExecuteScalarAsync())!)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the standby catches up with an idle primary within seconds");
            await Task.Delay(5);
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_standby is not null)
        {
            await _standby.DisposeAsync();
        }

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }

    private async Task ExecuteOnStandbyAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(StandbyConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
