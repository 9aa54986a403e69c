using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_replay_returns_the_first_decision_and_applies_nothing()
    {
        var first = await ConsumeAsync("images", 1, Key("request-1"));
        var replay = await ConsumeAsync("images", 1, Key("request-1"));

        (first.Allowed, first.Used, first.IsReplay).Should().Be((true, 1L, false));
        (replay.Allowed, replay.Used, replay.IsReplay).Should().Be((true, 1L, true));
        (replay.Limit, replay.Period).Should().Be((first.Limit, first.Period));
        (await UsedAsync("images")).Should().Be(1);
    }

    [Fact]
    public async Task A_replayed_denial_is_denied_again_even_when_the_units_are_back()
    {
        await ConsumeAsync("images", 3);
        var denied = await ConsumeAsync("images", 1, Key("request-9"));
        await Tracker.RefundAsync(Subject, "images", 1);

        var replay = await ConsumeAsync("images", 1, Key("request-9"));

        denied.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (replay.Outcome, replay.Used, replay.IsReplay).Should().Be((UsageOutcome.LimitExceeded, 3L, true));
        (await UsedAsync("images")).Should().Be(2);
    }

    [Fact]
    public async Task Reusing_a_key_for_a_different_call_is_a_conflict_and_applies_nothing()
    {
        await ConsumeAsync("images", 1, Key("request-1"));

        await FluentActions.Awaiting(() => ConsumeAsync("images", 2, Key("request-1")))
            .Should().ThrowAsync<IdempotencyConflictException>().Where(e => e.IdempotencyKey == "request-1" && e.SubjectId == Subject);
        await FluentActions.Awaiting(() => ConsumeAsync("api_calls", 1, Key("request-1")))
            .Should().ThrowAsync<IdempotencyConflictException>();
        await FluentActions.Awaiting(() => Tracker.IncrementAsync(Subject, "images", 1, Key("request-1")))
            .Should().ThrowAsync<IdempotencyConflictException>();

        (await UsedAsync("images")).Should().Be(1);
        (await UsedAsync("api_calls")).Should().Be(0);
    }

    [Fact]
    public async Task Keys_belong_to_one_subject()
    {
        var otherSubject = Subject + "-other";
        await ConsumeAsync("images", 1, Key("request-1"));

        var other = await Tracker.TryConsumeAsync(otherSubject, "images", 2, Key("request-1"));

        (other.IsReplay, other.Used).Should().Be((false, 2L));
    }

    [Fact]
    public async Task Keys_are_purged_after_the_retention_and_can_then_be_used_again()
    {
        await ConsumeAsync("images", 1, Key("request-1"));
        Clock.Advance(Duration.FromDays(7)); // recorded exactly 7 days ago: not older than the retention yet
        (await Admin.PurgeExpiredIdempotencyKeysAsync()).Should().Be(0);

        Clock.Advance(Duration.FromTicks(10)); // one microsecond: the finest step PostgreSQL's timestamptz keeps
        var purged = await Admin.PurgeExpiredIdempotencyKeysAsync();
        var again = await ConsumeAsync("images", 1, Key("request-1"));

        purged.Should().Be(1);
        (again.IsReplay, again.Used).Should().Be((false, 1L)); // a new day: 2025-03-17
    }
}
