using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// The shared behaviour suite against the PostgreSQL store with coalesced writes, every write sent through
/// <c>quotakit.record_usage_batch</c> (even a lone one, which coalescing normally sends as a single call): a write decided
/// in a batch behaves exactly as a single call, for every rule the suite checks (periods, schedule changes, keys,
/// alerts, limits, bad input).
/// </summary>
public sealed class PostgreSqlCoalescedUsageTrackerBehaviourTests : UsageTrackerBehaviour
{
    private readonly MigratedDatabase _database = new();

    public override async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    protected override Task<TrackerUnderTest> CreateAsync(Action<QuotaKitBuilder> configure, FakeClock clock) =>
        Task.FromResult(TrackerUnderTest.Build(q =>
        {
            configure(q);
            q.UseClock(clock).UsePostgreSql(_database.ConnectionString, o =>
            {
                o.CoalesceWrites = true;
                o.CoalesceLoneWritesAsBatches = true;
            });
        }));
}
