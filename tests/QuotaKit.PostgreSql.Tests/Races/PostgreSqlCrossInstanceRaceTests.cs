using Microsoft.Extensions.DependencyInjection;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Races;

/// <summary>The races between two app instances (two service providers, two connection pools) on one PostgreSQL database.</summary>
public sealed class PostgreSqlCrossInstanceRaceTests : RaceBehaviour, IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public PostgreSqlCrossInstanceRaceTests(MigratedDatabase database)
    {
        _database = database;
    }

    protected override Task<IReadOnlyList<TrackerUnderTest>> CreateInstancesAsync(Action<QuotaKitBuilder> configure) =>
        Task.FromResult<IReadOnlyList<TrackerUnderTest>>(
        [
            TrackerUnderTest.Build(q => configure(q.UsePostgreSql(_database.ConnectionString)), s => s.AddLogging()),
            TrackerUnderTest.Build(q => configure(q.UsePostgreSql(_database.ConnectionString)), s => s.AddLogging()),
        ]);
}
