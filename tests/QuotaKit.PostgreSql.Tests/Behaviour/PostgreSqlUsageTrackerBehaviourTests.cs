using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// The shared behaviour suite against the PostgreSQL store. Each test gets its own migrated database, because some
/// operations (the idempotency-key purge) act on every subject.
/// </summary>
public class PostgreSqlUsageTrackerBehaviourTests : UsageTrackerBehaviour
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

    /// <summary>The store's options for the suite; none by default.</summary>
    protected virtual void ConfigureStore(QuotaKitPostgreSqlOptions options)
    {
    }

    protected override Task<TrackerUnderTest> CreateAsync(Action<QuotaKitBuilder> configure, FakeClock clock) =>
        Task.FromResult(TrackerUnderTest.Build(q =>
        {
            configure(q);
            q.UseClock(clock).UsePostgreSql(_database.ConnectionString, ConfigureStore);
        }));
}
