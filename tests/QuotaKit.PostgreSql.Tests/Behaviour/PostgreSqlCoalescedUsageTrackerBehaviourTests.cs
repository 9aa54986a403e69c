namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// The shared behaviour suite against the PostgreSQL store with coalesced writes, every write sent through
/// <c>quotakit.record_usage_batch</c> (even a lone one, which coalescing normally sends as a single call): a write decided
/// in a batch behaves exactly as a single call, for every rule the suite checks (periods, schedule changes, keys,
/// alerts, limits, bad input).
/// </summary>
public sealed class PostgreSqlCoalescedUsageTrackerBehaviourTests : PostgreSqlUsageTrackerBehaviourTests
{
    protected override void ConfigureStore(QuotaKitPostgreSqlOptions options)
    {
        options.CoalesceWrites = true;
        options.CoalesceLoneWritesAsBatches = true;
    }
}
