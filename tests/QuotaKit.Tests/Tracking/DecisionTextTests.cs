using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// What a decision says when it is logged or shown in a debugger: who, which feature, the outcome, the usage against
/// the limit, the period, and whether the call was a replay of an earlier one.
/// </summary>
public sealed class DecisionTextTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 3))
            .UseDefaultPlan("free")
            .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
            .UseInMemoryStore())
        .Services.BuildServiceProvider();

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_decision_reads_as_subject_feature_outcome_usage_of_limit_and_period_and_says_when_it_is_a_replay()
    {
        var keyed = UsageOptions.WithIdempotencyKey("render-1");
        var first = await Tracker.TryConsumeAsync("alice", "images", 2, keyed);
        var replay = await Tracker.TryConsumeAsync("alice", "images", 2, keyed);
        var refused = await Tracker.TryConsumeAsync("alice", "images", 2);

        first.ToString().Should().Be($"alice/images: Allowed, used 2 of 3 in {first.Period}");
        replay.ToString().Should().Be($"alice/images: Allowed, used 2 of 3 in {first.Period} (replay)");
        refused.ToString().Should().Be($"alice/images: LimitExceeded, used 2 of 3 in {first.Period}");
    }
}
