using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Model;

public class HotUpdateTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public HotUpdateTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Consuming_updates_the_counter_row_in_place_without_index_writes()
    {
        // One physical connection: the statistics it gathers can be flushed and read back on it deterministically.
        var builder = new NpgsqlDataSourceBuilder(_database.ConnectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = 1;
        await using var dataSource = builder.Build();
        var services = new ServiceCollection().AddLogging();
        services.AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 1000))
                .UseDefaultPlan("free")
                .UseClock(new QuotaKit.Testing.FakeClock(Instant.FromUtc(2025, 6, 1, 12, 0))))
            .UsePostgreSql(dataSource);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<IUsageTracker>();

        for (var i = 0; i < 50; i++)
        {
            (await tracker.TryConsumeAsync("hot-subject", "images")).Allowed.Should().BeTrue();
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var flush = new NpgsqlCommand("SELECT pg_stat_force_next_flush()", connection))
        {
            await flush.ExecuteNonQueryAsync();
        }

        await using var stats = new NpgsqlCommand(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = 'quotakit' AND relname = 'usage_counters'",
            connection);
        await using var reader = await stats.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        var (updates, hotUpdates) = (reader.GetInt64(0), reader.GetInt64(1));

        updates.Should().BeGreaterThanOrEqualTo(49, "the first call inserts the row, the 49 others update it");
        hotUpdates.Should().Be(updates, "no indexed column changes when usage is counted");
    }
}
