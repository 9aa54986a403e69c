using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Two app instances (generic hosts with <c>ApplyMigrationsAtStartup</c>) start at the same moment on an empty database:
/// the migrations are applied once and both instances start and serve.
/// </summary>
public class ConcurrentStartupMigrationTests
{
    [Fact]
    public async Task Two_hosts_starting_together_apply_the_migrations_once_and_both_start()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("startup_migrate");
        try
        {
            var hosts = Enumerable.Range(0, 2).Select(_ => BuildHost(connectionString)).ToArray();
            var gate = new StartingGate(hosts.Length);
            await Task.WhenAll(hosts.Select(h => Task.Run(async () =>
            {
                await gate.ArriveAndWaitAsync();
                await h.StartAsync();
            })));

            foreach (var (host, i) in hosts.Select((h, i) => (h, i)))
            {
                var tracker = host.Services.GetRequiredService<IUsageTracker>();
                (await tracker.TryConsumeAsync($"instance-{i}", "images")).Allowed.Should().BeTrue();
            }

            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using var command = dataSource.CreateCommand(
                """SELECT count(*), count(DISTINCT "MigrationId") FROM quotakit.__quotakit_migrations""");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            reader.GetInt64(0).Should().Be(reader.GetInt64(1), "no migration is recorded twice");
            await using var context = MigratedContext(connectionString);
            reader.GetInt64(0).Should().Be(context.Database.GetMigrations().Count());

            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
        finally
        {
            await SharedPostgres.DropDatabaseAsync(connectionString);
        }
    }

    private static IHost BuildHost(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 3))
                .UseDefaultPlan("free"))
            .UsePostgreSql(connectionString, o => o.ApplyMigrationsAtStartup = true);
        return builder.Build();
    }

    private static QuotaKitDbContext MigratedContext(string connectionString) => QuotaKitContexts.Create(connectionString);
}
