using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Replicas;

/// <summary>
/// <see cref="QuotaKitPostgreSqlOptions.ReadConnectionString"/> against a real streaming standby: usage and history are
/// read from the replica (seen by pausing its replay), checks only when asked, writes always decide on the primary, and a
/// replica that is down is replaced by the primary with a warning.
/// </summary>
public sealed class ReplicaReadTests(StreamingReplica replica, ITestOutputHelper output) : IClassFixture<StreamingReplica>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);
    private readonly string _subject = $"replica-{Guid.NewGuid():N}";

    private TrackerUnderTest CreateHost(bool checksFromReplica = false, RecordingLoggerProvider? logs = null) =>
        TrackerUnderTest.Build(
            q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Noon))
                .UsePostgreSql(replica.PrimaryConnectionString, o =>
                {
                    o.ReadConnectionString = replica.StandbyConnectionString;
                    o.ChecksFromReadReplica = checksFromReplica;
                    o.ListenForSubjectChanges = false;
                }),
            s => s.AddLogging(l => { if (logs is not null) { l.AddProvider(logs); } }));

    [Fact]
    public async Task Usage_and_history_are_read_from_the_replica_as_of_its_replay()
    {
        await using var host = CreateHost();
        await host.Tracker.TryConsumeAsync(_subject, "images", 2);
        await replica.WaitUntilCaughtUpAsync();
        await replica.PauseReplayAsync();
        try
        {
            var write = await host.Tracker.TryConsumeAsync(_subject, "images", 1);
            var usage = await host.Tracker.GetUsageAsync(_subject);
            var history = await host.Tracker.GetHistoryAsync(_subject, "images", Noon - Duration.FromDays(1), Noon + Duration.FromDays(1));

            write.Used.Should().Be(3, "the write decided on the primary");
            usage.Single().Used.Should().Be(2, "the paused replica has not replayed the third unit");
            history.Single().Used.Should().Be(2);
        }
        finally
        {
            await replica.ResumeReplayAsync();
        }

        await replica.WaitUntilCaughtUpAsync();
        (await host.Tracker.GetUsageAsync(_subject)).Single().Used.Should().Be(3, "caught up");
    }

    [Theory]
    [InlineData(false, 3L)]
    [InlineData(true, 2L)]
    public async Task Checks_read_the_replica_only_when_asked(bool checksFromReplica, long expectedUsed)
    {
        await using var host = CreateHost(checksFromReplica);
        await host.Tracker.TryConsumeAsync(_subject, "images", 2);
        await replica.WaitUntilCaughtUpAsync();
        await replica.PauseReplayAsync();
        try
        {
            await host.Tracker.TryConsumeAsync(_subject, "images", 1);

            (await host.Tracker.CheckAsync(_subject, "images")).Used.Should().Be(expectedUsed);
        }
        finally
        {
            await replica.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task Writes_decide_on_the_primary_while_the_replica_lags_and_never_pass_the_limit()
    {
        await using var host = CreateHost(checksFromReplica: true);
        await replica.WaitUntilCaughtUpAsync();
        await replica.PauseReplayAsync();
        try
        {
            var decisions = new List<UsageDecision>();
            for (var i = 0; i < 7; i++)
            {
                decisions.Add(await host.Tracker.TryConsumeAsync(_subject, "images"));
            }

            decisions.Count(d => d.Allowed).Should().Be(5, "a limit of 5, decided on the primary");
            (await host.Tracker.CheckAsync(_subject, "images")).Allowed.Should().BeTrue(
                "the paused replica still sees nothing used: a check may be stale, a write is not");
        }
        finally
        {
            await replica.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task Reads_fall_back_to_the_primary_with_a_warning_when_the_replica_is_down()
    {
        var logs = new RecordingLoggerProvider();
        await using var host = TrackerUnderTest.Build(
            q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Noon))
                .UsePostgreSql(replica.PrimaryConnectionString, o =>
                {
                    o.ReadConnectionString = "Host=127.0.0.1;Port=1;Database=quotakit;Username=quotakit;Timeout=2";
                    o.ListenForSubjectChanges = false;
                }),
            s => s.AddLogging(l => l.AddProvider(logs)));
        await host.Tracker.TryConsumeAsync(_subject, "images", 2);

        (await host.Tracker.GetUsageAsync(_subject)).Single().Used.Should().Be(2, "the primary answered");
        (await host.Tracker.GetHistoryAsync(_subject, "images", Noon - Duration.FromDays(1), Noon + Duration.FromDays(1))).Single().Used.Should().Be(2);
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("read replica failed", StringComparison.Ordinal)).ToList();
        warnings.Should().Contain(e => e.Message.Contains($"a usage read for subject '{_subject}'", StringComparison.Ordinal));
        warnings.Should().Contain(e => e.Message.Contains($"a history read for subject '{_subject}'", StringComparison.Ordinal));
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Information && e.Message.Contains("from the replica at 127.0.0.1", StringComparison.Ordinal),
            "the instance says at start where its reads go");
    }

    [Fact]
    public async Task How_long_a_write_takes_to_be_visible_on_the_replica_is_measured()
    {
        await using var host = CreateHost();
        var lags = new List<double>();
        for (var i = 1; i <= 50; i++)
        {
            await host.Tracker.TryConsumeAsync(_subject + i, "images");
            var clock = Stopwatch.StartNew();
            while ((await host.Tracker.GetUsageAsync(_subject + i)).SingleOrDefault()?.Used != 1)
            {
                clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "a streaming standby replays within seconds");
            }

            lags.Add(clock.Elapsed.TotalMilliseconds);
        }

        lags.Sort();
        output.WriteLine($"replica visibility over {lags.Count} writes: median {lags[lags.Count / 2]:F1} ms, max {lags[^1]:F1} ms");
        lags.Should().HaveCount(50);
    }
}
