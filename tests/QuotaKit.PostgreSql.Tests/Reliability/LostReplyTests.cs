using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// A write whose reply is lost after the server committed it (the <see cref="FaultProxy"/> drops the reply and cuts the
/// connection): what the caller is told must be true. "Nothing was written" is never said of a write that applied, and
/// <see cref="UsageDecision.IsReplay"/> is true only when the caller's own earlier call is being replayed.
/// </summary>
public class LostReplyTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Now = Instant.FromUtc(2025, 6, 2, 9, 0);
    private readonly MigratedDatabase _database;
    private readonly string _subject = $"lost-reply-{Guid.NewGuid():N}";

    public LostReplyTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_keyed_write_committed_but_unanswered_whose_retry_cannot_connect_reports_the_outcome_unknown()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = await WarmHostAsync(proxy);

        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        proxy.RefuseNewConnections(); // the pooled connection is already open; the pipeline's retry needs a new one
        var consume = () => host.Tracker.TryConsumeAsync(_subject, "images", 1, UsageOptions.WithIdempotencyKey("request-1"));

        var failure = (await consume.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which;
        failure.OutcomeUnknown.Should().BeTrue("the first attempt may have committed (it did), so no later failure may say nothing was written");
        lost.IsCompletedSuccessfully.Should().BeTrue("the proxy lost the reply of the write itself");
        proxy.RefusedConnections.Should().BeGreaterThan(0, "the pipeline retried the keyed write and could not connect");
        (await UsedOnceCommittedAsync()).Should().Be(1, "the write whose reply was lost really committed");
    }

    [Fact]
    public async Task A_keyless_write_committed_but_unanswered_reports_the_outcome_unknown()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = await WarmHostAsync(proxy);

        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        proxy.RefuseNewConnections();
        var consume = () => host.Tracker.TryConsumeAsync(_subject, "images", 1);

        var failure = (await consume.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which;
        failure.OutcomeUnknown.Should().BeTrue();
        lost.IsCompletedSuccessfully.Should().BeTrue();
        (await UsedOnceCommittedAsync()).Should().Be(1);
    }

    /// <summary>
    /// The usage once the server finished the statement. Npgsql may put its pooled-connection reset in front of the
    /// statement in the same write; the proxy then cuts at the reset's ReadyForQuery, and the server, which already has
    /// the statement, commits it a moment after the client failed. Bounded: gives up after 10 s.
    /// </summary>
    private async Task<long> UsedOnceCommittedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long used;
        while ((used = await UsedAsync()) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return used;
    }

    /// <remarks>
    /// Needs <c>record_usage</c> version 2 (it stores a per-call id, so the pipeline's own retry is told apart from a
    /// caller's replay). With version 1 the retry finds the committed first attempt by its key and says "replay".
    /// </remarks>
    [Fact]
    public async Task A_first_call_whose_internal_retry_finds_its_own_committed_attempt_is_not_a_replay()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = await WarmHostAsync(proxy);

        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        var decision = await host.Tracker.TryConsumeAsync(_subject, "images", 1, UsageOptions.WithIdempotencyKey("request-1"));

        lost.IsCompletedSuccessfully.Should().BeTrue("the first attempt's reply was lost, so the pipeline retried");
        decision.Allowed.Should().BeTrue();
        decision.Used.Should().Be(1);
        decision.IsReplay.Should().BeFalse("this is the caller's first call: an app that skips work on replays would skip a real request");
        (await UsedAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_callers_second_call_with_the_key_is_a_replay_also_after_a_lost_reply()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = await WarmHostAsync(proxy);
        var key = UsageOptions.WithIdempotencyKey("request-1");
        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        await host.Tracker.TryConsumeAsync(_subject, "images", 1, key);
        lost.IsCompletedSuccessfully.Should().BeTrue();

        var replay = await host.Tracker.TryConsumeAsync(_subject, "images", 1, key);

        replay.IsReplay.Should().BeTrue("the caller's first call with this key succeeded");
        replay.Used.Should().Be(1);
        (await UsedAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_callers_second_call_with_the_key_is_a_replay()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = await WarmHostAsync(proxy);
        var key = UsageOptions.WithIdempotencyKey("request-1");

        var first = await host.Tracker.TryConsumeAsync(_subject, "images", 1, key);
        var second = await host.Tracker.TryConsumeAsync(_subject, "images", 1, key);

        first.IsReplay.Should().BeFalse();
        second.IsReplay.Should().BeTrue();
        (await UsedAsync()).Should().Be(1);
    }

    /// <summary>
    /// A tracker through the proxy with one pooled connection open and the subject cached, so the next statement that
    /// carries the subject id is <c>record_usage</c> on that connection.
    /// </summary>
    private async Task<TrackerUnderTest> WarmHostAsync(FaultProxy proxy)
    {
        var host = TrackerHost.Create(proxy.ConnectionString, new FakeClock(Now), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddFeature("warm-up", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 10).Limit("warm-up", 10))
            .UseDefaultPlan("free"));
        await host.Tracker.TryConsumeAsync(_subject, "warm-up", 1);
        proxy.OpenConnections.Should().Be(1);
        return host;
    }

    private async Task<long> UsedAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT coalesce(sum(used), 0)::bigint FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = 'images'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _subject });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
