using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Registration;

/// <summary>
/// The read-replica data source is QuotaKit's own (created from <see cref="QuotaKitPostgreSqlOptions.ReadConnectionString"/>),
/// so the container's disposal closes its pooled sessions, synchronously or not. The "replica" here is the primary
/// under another application name: what is checked is whose sessions stay open, not replication.
/// </summary>
public class ReplicaDataSourceOwnershipTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_read_replicas_pooled_sessions_are_closed_with_the_container(bool disposeAsync)
    {
        var applicationName = $"qk-replica-{Guid.NewGuid():N}"[..30];
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 5))
            .UseDefaultPlan("free")
            .UseClock(new FakeClock(Instant.FromUtc(2025, 6, 2, 12, 0)))
            .UsePostgreSql(database.ConnectionString, o =>
            {
                o.ReadConnectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
                o.ListenForSubjectChanges = false;
            }));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IUsageTracker>().GetUsageAsync("replica-owner");
        (await SessionsNamedAsync(applicationName)).Should().Be(1, "the usage read left its replica connection idle in the pool");

        if (disposeAsync)
        {
            await provider.DisposeAsync();
        }
        else
        {
            provider.Dispose();
        }

        var waited = Stopwatch.StartNew();
        while (await SessionsNamedAsync(applicationName) > 0)
        {
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "disposing the container closes the replica's pooled sessions");
            await Task.Delay(20);
        }
    }

    private async Task<long> SessionsNamedAsync(string applicationName)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
