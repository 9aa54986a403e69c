using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Subjects;

/// <summary>
/// Changes pushed across instances with LISTEN/NOTIFY: two app instances (two service providers with their hosted
/// services running), one database. Reads answer from the cache, which lives an hour while changes are pushed, so only
/// a pushed eviction can make instance B show a change made on instance A within the seconds these tests wait.
/// </summary>
public sealed class SubjectChangeListenerTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly MigratedDatabase _database;
    private readonly ITestOutputHelper _output;
    private readonly FakeClock _clock = new(Noon);

    public SubjectChangeListenerTests(MigratedDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task A_plan_changed_on_one_instance_is_shown_by_the_other_instances_cached_reads_at_once()
    {
        const string subject = "pushed-plan";
        await using var a = await StartedInstanceAsync();
        await using var b = await StartedInstanceAsync();
        var latencies = new List<double>();

        for (var round = 0; round < 20; round++)
        {
            var plan = round % 2 == 0 ? "pro" : "free";
            (await b.Instance.Tracker.CheckAsync(subject, "images")).Limit.Should().NotBe(TwoPlans.LimitOf(plan), "B has the other plan cached");

            await a.Instance.Admin.SetPlanAsync(subject, plan);
            var sinceCommit = Stopwatch.StartNew();
            while ((await b.Instance.Tracker.CheckAsync(subject, "images")).Limit != TwoPlans.LimitOf(plan))
            {
                sinceCommit.Elapsed.Should().BeLessThan(Patience, $"round {round}: B must show plan '{plan}' once A's change is pushed");
                await Task.Delay(1);
            }

            latencies.Add(sinceCommit.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        _output.WriteLine($"cross-instance staleness over {latencies.Count} plan changes: median {latencies[latencies.Count / 2]:F1} ms, max {latencies[^1]:F1} ms");
    }

    [Fact]
    public async Task The_listener_reconnects_after_its_session_is_terminated_and_pushes_changes_again()
    {
        const string subject = "pushed-after-reconnect";
        await using var a = await StartedInstanceAsync();
        await using var b = await StartedInstanceAsync();
        (await b.Instance.Tracker.CheckAsync(subject, "images")).Limit.Should().Be(TwoPlans.LimitOf("free"));
        var feed = b.Instance.Services.GetRequiredService<SubjectChangeFeed>();

        await TerminateListenersAsync();
        await WaitUntilAsync(() => !feed.IsConnected, "the feed reports the lost connection");
        await WaitUntilAsync(() => feed.IsConnected, "the listener reconnects");
        (await b.Instance.Tracker.CheckAsync(subject, "images")).Limit.Should().Be(TwoPlans.LimitOf("free"), "B caches the subject again");
        await a.Instance.Admin.SetPlanAsync(subject, "pro");

        await WaitUntilAsync(
            async () => (await b.Instance.Tracker.CheckAsync(subject, "images")).Limit == TwoPlans.LimitOf("pro"), "B shows the change made after the reconnect");
    }

    [Fact]
    public async Task A_host_that_keeps_plans_in_its_own_tables_announces_a_change_that_every_instance_receives()
    {
        await using var b = await StartedInstanceAsync();
        var received = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Instance.Services.GetRequiredService<SubjectChangeFeed>().SubjectChanged += (_, change) =>
        {
            if (change.SubjectId == "host-owned-plan")
            {
                received.TrySetResult(change.SubjectId);
            }
        };

        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await QuotaKitSubjectChanges.PublishAsync(connection, "host-owned-plan");
            await transaction.CommitAsync();
        }

        (await received.Task.WaitAsync(Patience)).Should().Be("host-owned-plan");
        await FluentActions.Awaiting(() => QuotaKitSubjectChanges.PublishAsync(null!, "host-owned-plan"))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("connection");
        await using var open = await _database.DataSource.OpenConnectionAsync();
        await FluentActions.Awaiting(() => QuotaKitSubjectChanges.PublishAsync(open, ""))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("subjectId");
    }

    [Fact]
    public async Task The_listener_takes_no_connection_from_the_pool_that_writes_use()
    {
        // A pool of one: were the listener's long-lived session one of its connections, the write below would wait for
        // it until the pool's timeout and fail.
        var poolOfOne = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = 1, Timeout = 3 }.ConnectionString;
        await using var instance = await StartedInstanceAsync(poolOfOne);

        var outcome = await instance.Instance.Tracker.TryConsumeAsync("listener-beside-a-pool-of-one", "images");

        outcome.Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task Stopping_an_instance_ends_its_listeners_session_instead_of_pooling_it()
    {
        // Pooled, the listening session would outlive the instance, idle, still subscribed, holding a server slot.
        var applicationName = $"qk-listener-{Guid.NewGuid():N}"[..30];
        var instance = await StartedInstanceAsync(
            new NpgsqlConnectionStringBuilder(_database.ConnectionString) { ApplicationName = applicationName }.ConnectionString);
        (await ListeningSessionsAsync(applicationName)).Should().Be(1);

        var feed = instance.Instance.Services.GetRequiredService<SubjectChangeFeed>();

        await instance.DisposeAsync();

        feed.IsConnected.Should().BeFalse("a stopped listener no longer pushes changes, so cached subjects must expire again");
        await WaitUntilAsync(async () => await ListeningSessionsAsync(applicationName) == 0, "the stopped instance's listening session ends");
    }

    [Fact]
    public async Task An_instance_on_the_hosts_data_source_listens_on_one_of_its_connections()
    {
        // Given a data source and no connection string, QuotaKit cannot open a session outside the pool: the listener
        // takes one connection of the host's data source for as long as it listens.
        var applicationName = $"qk-host-source-{Guid.NewGuid():N}"[..30];
        var logs = new RecordingLoggerProvider();
        await using var hostDataSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(_database.ConnectionString) { ApplicationName = applicationName }.ConnectionString);
        await using var instance = await StartedAsync(TrackerUnderTest.Build(
            q =>
            {
                q.UseClock(_clock);
                TwoPlans.Declare(q);
                q.UsePostgreSql(hostDataSource);
            },
            services => services.AddLogging(logging => logging.AddProvider(logs))));

        (await ListeningSessionsAsync(applicationName)).Should().Be(1);
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Information && e.Message.StartsWith("Listening for subject changes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listener_that_cannot_open_its_session_logs_the_failure_and_keeps_trying_instead_of_stopping()
    {
        // A port nothing listens on: every open of the listener's own session is refused.
        var port = ClosedPort.Find();
        var logs = new RecordingLoggerProvider();
        await using var instance = Logging($"Host=127.0.0.1;Port={port};Username=quotakit;Database=postgres;Timeout=2", logs);
        var listener = ListenerOf(instance);
        await listener.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => Lost(logs).Count >= 3, "three failed opens are logged");

        listener.ExecuteTask!.IsCompleted.Should().BeFalse("a refused session is retried, not the end of the listener (or of the host)");
        await listener.StopAsync(CancellationToken.None);
        WaitsStated(logs).Take(3).Should().Equal([" in 100 ms", " in 200 ms", " in 400 ms"], "failures in a row double the wait, and each warning says the wait it starts");
    }

    [Fact]
    public async Task A_session_that_was_up_starts_the_back_off_again_from_its_first_wait()
    {
        // Failures in a row grow the wait; a session that came up in between must not leave the next drop at that length.
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        proxy.RefuseNewConnections();
        var logs = new RecordingLoggerProvider();
        await using var instance = ListenerThrough(proxy, logs);
        var listener = ListenerOf(instance);
        var feed = instance.Services.GetRequiredService<SubjectChangeFeed>();
        await listener.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => Lost(logs).Count >= 3, "three refused opens are logged (waits of 100, 200 and 400 ms)");

        proxy.AcceptNewConnections();
        await WaitUntilAsync(() => feed.IsConnected, "the listener connects once the server can be reached");
        var failuresBeforeTheDrop = Lost(logs).Count;
        proxy.CutAllConnections();
        await WaitUntilAsync(() => Lost(logs).Count > failuresBeforeTheDrop, "the dropped session is logged");
        await listener.StopAsync(CancellationToken.None);

        var waits = WaitsStated(logs);
        waits[failuresBeforeTheDrop - 1].Should().NotBe(" in 100 ms", "the refused opens in a row had grown the wait");
        waits[failuresBeforeTheDrop].Should().Be(" in 100 ms", "the session that was up starts the back-off again from its first wait");
    }

    [Fact]
    public async Task A_listening_session_that_goes_silent_is_found_dead_by_the_idle_probe_and_replaced()
    {
        // A network path that drops everything without a reset: no error ever arrives on its own, and waiting for
        // notifications looks the same as a quiet channel. Only the probe sent after a silence, whose reply does not
        // come within the command timeout, shows that the session is dead.
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        var logs = new RecordingLoggerProvider();
        await using var instance = ListenerThrough(proxy, logs, probeAfter: TimeSpan.FromMilliseconds(200));
        var listener = ListenerOf(instance);
        var feed = instance.Services.GetRequiredService<SubjectChangeFeed>();
        await listener.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => feed.IsConnected, "the listener connects");
        await Task.Delay(TimeSpan.FromSeconds(1)); // five probes of a healthy session, which must leave it up
        Lost(logs).Should().BeEmpty("a probe that gets its reply keeps the session");

        proxy.SilenceOpenConnections();

        await WaitUntilAsync(() => !feed.IsConnected, "the probe's missing reply shows the silent session is dead, and cached subjects expire again");
        await WaitUntilAsync(() => feed.IsConnected, "the listener listens again on a new session");
        await listener.StopAsync(CancellationToken.None);
        Lost(logs).Should().ContainSingle("one session went silent");
    }

    [Fact]
    public async Task A_listener_switched_off_ends_at_once_without_opening_a_session()
    {
        await using var instance = TrackerUnderTest.Build(q =>
        {
            q.UseClock(_clock);
            TwoPlans.Declare(q);
            q.UsePostgreSql(_database.ConnectionString, o => o.ListenForSubjectChanges = false);
        });
        var listener = ListenerOf(instance);

        await listener.StartAsync(CancellationToken.None);

        // It ends on its own, where a listener that is on listens until it is stopped.
        await listener.ExecuteTask!.WaitAsync(Patience);
        instance.Services.GetRequiredService<SubjectChangeFeed>().IsConnected.Should().BeFalse();
    }

    /// <summary>
    /// An instance whose connections go through <paramref name="proxy"/>, logging to <paramref name="logs"/>. A command
    /// timeout of 1 s, so that a probe whose reply never comes fails within the tests' patience.
    /// </summary>
    private TrackerUnderTest ListenerThrough(FaultProxy proxy, RecordingLoggerProvider logs, TimeSpan? probeAfter = null)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(proxy.ConnectionString) { Timeout = 2, CommandTimeout = 1 }.ConnectionString;
        return Logging(connectionString, logs, probeAfter);
    }

    /// <summary>An instance on <paramref name="connectionString"/> that logs to <paramref name="logs"/>; its hosted services are not started.</summary>
    private TrackerUnderTest Logging(string connectionString, RecordingLoggerProvider logs, TimeSpan? probeAfter = null) =>
        TrackerUnderTest.Build(
            q =>
            {
                q.UseClock(_clock);
                TwoPlans.Declare(q);
                q.UsePostgreSql(connectionString, o => o.SubjectListenerProbeInterval = probeAfter ?? o.SubjectListenerProbeInterval);
            },
            services => services.AddLogging(logging => logging.AddProvider(logs)));

    private static SubjectChangeListener ListenerOf(TrackerUnderTest instance) =>
        instance.Services.GetServices<IHostedService>().OfType<SubjectChangeListener>().Single();

    /// <summary>The wait each "lost its connection" warning says it starts, as " in N ms", in order.</summary>
    private static List<string> WaitsStated(RecordingLoggerProvider logs) =>
        Lost(logs).Select(e => e.Message[e.Message.LastIndexOf(" in ", StringComparison.Ordinal)..]).ToList();

    private static List<RecordingLoggerProvider.LogEntry> Lost(RecordingLoggerProvider logs) =>
        logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("lost its connection", StringComparison.Ordinal)).ToList();

    /// <summary>An instance with its hosted services started, as a generic host starts them; listening once this returns.</summary>
    private Task<RunningInstance> StartedInstanceAsync(string? connectionString = null) =>
        StartedAsync(TrackerHost.Create(connectionString ?? _database.ConnectionString, _clock, TwoPlans.Declare));

    private static async Task<RunningInstance> StartedAsync(TrackerUnderTest instance)
    {
        var services = instance.Services.GetServices<IHostedService>().ToList();
        foreach (var service in services)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var feed = instance.Services.GetRequiredService<SubjectChangeFeed>();
        await WaitUntilAsync(() => feed.IsConnected, "the listener connects");
        return new RunningInstance(instance, services);
    }

    private async Task<long> ListeningSessionsAsync(string applicationName)
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN quotakit_subject_changed%'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task TerminateListenersAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN quotakit_subject_changed%'");
        ((long)(await command.ExecuteScalarAsync())!).Should().BeGreaterThan(0, "the listener's session is found by its LISTEN");
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            waited.Elapsed.Should().BeLessThan(Patience, what);
            await Task.Delay(10);
        }
    }

    private sealed record RunningInstance(TrackerUnderTest Instance, List<IHostedService> Services) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var service in Services)
            {
                await service.StopAsync(CancellationToken.None);
            }

            await Instance.DisposeAsync();
        }
    }
}
