using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// A commit or release whose reply is lost after the server committed it (the <see cref="FaultProxy"/> drops the reply and
/// cuts the connection). A settle is idempotent, so the pipeline retries it and must answer as the first attempt would
/// have: settled by this call, the units counted once.
/// </summary>
public class LostSettleReplyTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Now = Instant.FromUtc(2025, 6, 2, 9, 0);
    private readonly MigratedDatabase _database;
    private readonly string _subject = $"lost-settle-{Guid.NewGuid():N}";

    public LostSettleReplyTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_commit_whose_reply_is_lost_is_retried_and_counted_once_as_this_calls_commit()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = CreateHost(proxy);
        var reservation = (await host.Reservations.ReserveAsync(_subject, "tokens", 500, Duration.FromMinutes(5))).Reservation!;

        // The settle call is the next statement that carries the reservation's id.
        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        var committed = await host.Reservations.CommitAsync(reservation, 320);

        lost.IsCompletedSuccessfully.Should().BeTrue("the first attempt's reply was lost, so the pipeline retried");
        committed.State.Should().Be(ReservationState.Committed);
        committed.WasAlreadySettled.Should().BeFalse("the retry found this call's own commit, not an earlier caller's");
        (committed.CommittedAmount, committed.Used).Should().Be((320L, 320L));
        (await UsedAsync()).Should().Be(320, "the commit applied once");
    }

    [Fact]
    public async Task A_release_whose_reply_is_lost_is_retried_and_gives_the_hold_back_once()
    {
        await using var proxy = FaultProxy.Start(_database.ConnectionString);
        await using var host = CreateHost(proxy);
        await host.Tracker.TryConsumeAsync(_subject, "tokens", 100);
        var reservation = (await host.Reservations.ReserveAsync(_subject, "tokens", 500, Duration.FromMinutes(5))).Reservation!;

        var lost = proxy.LoseReplyToNextStatementContaining(_subject);
        var released = await host.Reservations.ReleaseAsync(reservation);

        lost.IsCompletedSuccessfully.Should().BeTrue();
        released.State.Should().Be(ReservationState.Released);
        released.WasAlreadySettled.Should().BeFalse();
        (await UsedAsync()).Should().Be(100, "the hold was given back once, the consumed units stay");
    }

    private static TrackerUnderTest CreateHost(FaultProxy proxy) =>
        TrackerHost.Create(proxy.ConnectionString, new FakeClock(Now), q => q
            .AddFeature("tokens", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("tokens", 1000))
            .UseDefaultPlan("free"));

    private async Task<long> UsedAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT coalesce(sum(used), 0)::bigint FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = 'tokens'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _subject });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
