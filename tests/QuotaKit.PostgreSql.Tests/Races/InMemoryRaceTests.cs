using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Races;

/// <summary>The same races on the in-memory store (one process, so one instance), with callers on real threads.</summary>
public sealed class InMemoryRaceTests : RaceBehaviour
{
    protected override Task<IReadOnlyList<TrackerUnderTest>> CreateInstancesAsync(Action<QuotaKitBuilder> configure) =>
        Task.FromResult<IReadOnlyList<TrackerUnderTest>>([TrackerUnderTest.Build(q => configure(q.UseInMemoryStore()))]);
}
