using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Two app instances (generic hosts with <c>ApplyMigrationsAtStartup</c>) start at the same moment on an empty database:
/// one applies the migrations while the other waits, and both start and serve.
/// </summary>
public class ConcurrentStartupMigrationTests
{
    [Fact]
    public async Task Two_hosts_starting_together_one_applies_the_migrations_the_other_waits_and_both_start()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("startup_migrate");
        try
        {
            var logs = new CapturedLogs();
            var hosts = Enumerable.Range(0, 2).Select(_ => BuildHost(connectionString, logs)).ToArray();
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

            // One instance applied the migrations; the other waited on the lock, then found nothing pending.
            var migrator = logs.From("QuotaKitMigrator");
            migrator.Count(m => m.StartsWith("Applying ", StringComparison.Ordinal)).Should().Be(1, string.Join(Environment.NewLine, migrator));
            migrator.Count(m => m == "QuotaKit schema is up to date").Should().Be(1);
            await using var context = QuotaKitContexts.Create(connectionString);
            (await context.Database.GetAppliedMigrationsAsync()).Should().Equal(context.Database.GetMigrations());

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

    private static IHost BuildHost(string connectionString, CapturedLogs logs)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddProvider(logs);
        builder.Services
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 3))
                .UseDefaultPlan("free"))
            .UsePostgreSql(connectionString, o => o.ApplyMigrationsAtStartup = true);
        return builder.Build();
    }
}
