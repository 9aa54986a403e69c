using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>The shared behaviour suite against <see cref="QuotaKit.Testing.InMemoryUsageTracker"/>.</summary>
public sealed class InMemoryUsageTrackerBehaviourTests : UsageTrackerBehaviour
{
    protected override Task<TrackerUnderTest> CreateAsync(Action<QuotaKitBuilder> configure, FakeClock clock) =>
        Task.FromResult(TrackerUnderTest.Build(q =>
        {
            configure(q);
            q.UseInMemoryStore().UseClock(clock);
        }));
}
