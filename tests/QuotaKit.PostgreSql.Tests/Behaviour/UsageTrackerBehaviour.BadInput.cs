namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task Bad_input_throws_typed_exceptions_and_writes_nothing()
    {
        var key = Key("request-1");
        await FluentActions.Awaiting(() => Tracker.TryConsumeAsync("", "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => Tracker.TryConsumeAsync("   ", "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => Tracker.TryConsumeAsync(null!, "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => Tracker.TryConsumeAsync(new string('s', 257), "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => Tracker.TryConsumeAsync("a\0b", "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => ConsumeAsync("movies", 1, key))
            .Should().ThrowAsync<UnknownFeatureException>().Where(e => e.FeatureKey == "movies");
        await FluentActions.Awaiting(() => ConsumeAsync("images", 0, key))
            .Should().ThrowAsync<InvalidAmountException>().Where(e => e.Amount == 0);
        await FluentActions.Awaiting(() => ConsumeAsync("images", -1)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Tracker.IncrementAsync(Subject, "images", 0)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Tracker.RefundAsync(Subject, "images", -3)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Tracker.CheckAsync(Subject, "images", 0)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => Tracker.SetGaugeAsync(Subject, "seats", -1)).Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => ConsumeAsync("images", 1, Key(" "))).Should().ThrowAsync<InvalidUsageOptionsException>();
        await FluentActions.Awaiting(() => ConsumeAsync("images", 1, Key(new string('k', 201)))).Should().ThrowAsync<InvalidUsageOptionsException>();
        await FluentActions.Awaiting(() => ConsumeAsync("images", 1, new UsageOptions { MetadataJson = "not json" }))
            .Should().ThrowAsync<InvalidUsageOptionsException>();
        await FluentActions.Awaiting(() => ConsumeAsync("images", 1, new UsageOptions { MetadataJson = "[1]" }))
            .Should().ThrowAsync<InvalidUsageOptionsException>();

        (await Tracker.GetUsageAsync(Subject)).Should().OnlyContain(u => u.Used == 0);
        (await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, MondayUtc.End)).Should().BeEmpty();
        UnderTest.Alerts.Should().BeEmpty();
        (await ConsumeAsync("images", 1, key)).IsReplay.Should().BeFalse("a call that threw stored no idempotency record");
    }

    [Fact]
    public async Task An_amount_that_would_overflow_the_counter_is_refused_and_nothing_changes()
    {
        var full = await Tracker.IncrementAsync(Subject, "exports", long.MaxValue);

        await FluentActions.Awaiting(() => Tracker.IncrementAsync(Subject, "exports", 1, Key("overflow")))
            .Should().ThrowAsync<InvalidAmountException>();
        await FluentActions.Awaiting(() => ConsumeAsync("exports", 1)).Should().ThrowAsync<InvalidAmountException>(
            "an unlimited consume is refused only because the counter cannot hold the sum");

        full.Used.Should().Be(long.MaxValue);
        (await UsedAsync("exports")).Should().Be(long.MaxValue);
        (await Tracker.RefundAsync(Subject, "exports", 1, Key("overflow"))).IsReplay.Should().BeFalse();
    }
}
