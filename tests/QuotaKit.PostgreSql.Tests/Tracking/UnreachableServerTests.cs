using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.PostgreSql.Tests.Subjects;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>
/// Both stores against a server that cannot be reached (a port nothing listens on): each call fails as
/// <see cref="QuotaStoreUnavailableException"/>, named after what failed, so an operator can tell a failed read from a
/// failed reset in the logs.
/// </summary>
public sealed class UnreachableServerTests
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);
    private readonly FakeClock _clock = new(Noon);

    [Fact]
    public async Task Subject_reads_and_changes_against_a_server_that_cannot_be_reached_fail_as_store_unavailable_naming_the_call()
    {
        await using var instance = Unreachable();
        var subjects = instance.Services.GetRequiredService<SubjectStore>();

        var read = await FluentActions.Awaiting(() => subjects.ReadAsync("unreachable", CancellationToken.None))
            .Should().ThrowAsync<QuotaStoreUnavailableException>();
        var planChange = await FluentActions.Awaiting(() => subjects.ChangePlanAsync("unreachable", "pro", Noon, _ => PlanChangeEffects.None, CancellationToken.None))
            .Should().ThrowAsync<QuotaStoreUnavailableException>();
        var zoneChange = await FluentActions.Awaiting(() => subjects.SetTimeZoneAsync("unreachable", null, Noon, CancellationToken.None))
            .Should().ThrowAsync<QuotaStoreUnavailableException>();

        read.Which.Message.Should().Contain("a read of subject 'unreachable'");
        planChange.Which.Message.Should().Contain("a plan change of subject 'unreachable'");
        zoneChange.Which.Message.Should().Contain("an administration write for subject 'unreachable'");
    }

    [Fact]
    public async Task Usage_reads_resets_and_the_key_purge_against_a_server_that_cannot_be_reached_fail_as_store_unavailable_naming_the_call()
    {
        await using var instance = Unreachable();
        var store = instance.Services.GetRequiredService<UsageStore>();
        var day = new UsagePeriod(Noon - Duration.FromDays(1), Noon);

        async Task<string> FailureOf(Func<Task> call) =>
            (await FluentActions.Awaiting(call).Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.Message;

        (await FailureOf(() => store.ReadCountersAsync("unreachable", ["images"], Noon, CancellationToken.None)))
            .Should().Contain("a usage read for subject 'unreachable'");
        (await FailureOf(() => store.ReadHistoryAsync("unreachable", "images", day, CancellationToken.None)))
            .Should().Contain("a history read for subject 'unreachable'");
        (await FailureOf(() => store.ResetCounterAsync("unreachable", "images", Noon, CancellationToken.None)))
            .Should().Contain("the reset of 'images' for subject 'unreachable'");
        (await FailureOf(() => store.ForgetIdempotencyKeysAsync(Noon, CancellationToken.None)))
            .Should().Contain("the idempotency-key purge");
    }

    [Fact]
    public async Task A_consume_against_a_server_that_cannot_be_reached_fails_saying_that_nothing_was_written()
    {
        await using var instance = Unreachable();

        var failure = await FluentActions.Awaiting(() => instance.Tracker.TryConsumeAsync("unreachable", "images"))
            .Should().ThrowAsync<QuotaStoreUnavailableException>();

        failure.Which.OutcomeUnknown.Should().BeFalse("no session was opened, so nothing was sent: a retry cannot count the call twice");
        failure.Which.IsTransient.Should().BeTrue("a refused connection may be accepted later");
    }

    private TrackerUnderTest Unreachable() => TrackerUnderTest.Build(q =>
    {
        q.UseClock(_clock);
        TwoPlans.Declare(q);
        q.UsePostgreSql($"Host=127.0.0.1;Port={ClosedPort.Find()};Username=quotakit;Database=postgres;Timeout=2");
    });
}
