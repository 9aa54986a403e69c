using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// Migrating is quiet and frugal: a successful first start on an empty database logs no error (operators alert on
/// errors), and it needs one pooled connection, so a pool of one neither waits out its timeout nor fails.
/// </summary>
public class QuietMigrationTests
{
    [Fact]
    public async Task A_first_migration_of_an_empty_database_logs_no_error()
    {
        await using var database = await TestDatabase.CreateAsync("quiet_migrate");
        var logs = new RecordingLoggerProvider();
        await using (var provider = BuildProvider(database.ConnectionString, logs))
        {
            await provider.GetRequiredService<IQuotaKitMigrator>().ApplyMigrationsAsync();
            await provider.GetRequiredService<IQuotaKitMigrator>().ApplyMigrationsAsync(); // and again, up to date
        }

        logs.Entries.Should().Contain(e => e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal),
            "EF Core's logs are recorded, so an error it logs would be seen");
        logs.Errors.Select(e => e.ToString()).Should().BeEmpty("a start that succeeds must not log errors");
    }

    [Fact]
    public async Task Migrating_with_a_pool_of_one_connection_succeeds_at_once()
    {
        await using var database = await TestDatabase.CreateAsync("pool_of_one");
        var poolOfOne = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, Timeout = 3 }.ConnectionString;
        await using var provider = BuildProvider(poolOfOne, new RecordingLoggerProvider());
        var migrator = provider.GetRequiredService<IQuotaKitMigrator>();

        await migrator.ApplyMigrationsAsync();

        (await migrator.GetPendingMigrationsAsync()).Should().BeEmpty();
        await migrator.ApplyMigrationsAsync(); // up to date: still one connection
        var tracker = provider.GetRequiredService<IUsageTracker>();
        (await tracker.TryConsumeAsync("pool-of-one", "images")).Used.Should().Be(1);
    }

    private static ServiceProvider BuildProvider(string connectionString, RecordingLoggerProvider logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 3))
            .UseDefaultPlan("free")
            .UsePostgreSql(connectionString));
        return services.BuildServiceProvider();
    }
}
