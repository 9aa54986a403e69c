using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using QuotaKit.PostgreSql;
using QuotaKit.Testing;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>The health check reports a reachable database whose QuotaKit schema is behind this QuotaKit as unhealthy.</summary>
public sealed class HealthSchemaTests
{
    [Fact]
    public async Task A_database_behind_the_schema_version_is_unhealthy_and_the_report_says_how_to_upgrade()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("quotakit_web_health_schema");
        try
        {
            var services = new ServiceCollection().AddLogging();
            services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).AddPlan("free", p => p.Limit("images", 3)).UseDefaultPlan("free"))
                .UsePostgreSql(connectionString);
            services.AddHealthChecks().AddQuotaKit();
            await using var provider = services.BuildServiceProvider();
            await provider.ApplyQuotaKitMigrationsAsync();
            var health = provider.GetRequiredService<HealthCheckService>();
            var current = await health.CheckHealthAsync();

            // What a database upgraded by hand only to 0.1.0's objects looks like: no schema_version().
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            await using (var command = dataSource.CreateCommand("DROP FUNCTION quotakit.schema_version()"))
            {
                await command.ExecuteNonQueryAsync();
            }

            var behind = await health.CheckHealthAsync();

            current.Entries["quotakit"].Status.Should().Be(HealthStatus.Healthy);
            behind.Entries["quotakit"].Status.Should().Be(HealthStatus.Unhealthy);
            behind.Entries["quotakit"].Description.Should().Contain("schema version 1").And.Contain("ApplyQuotaKitMigrationsAsync");
            behind.Entries["quotakit"].Exception.Should().BeOfType<QuotaKitSchemaVersionException>();
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await SharedPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
