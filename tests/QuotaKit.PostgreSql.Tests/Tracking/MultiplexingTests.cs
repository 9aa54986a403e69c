using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>
/// Npgsql's multiplexing data sources refuse explicit preparation, so the store prepares its statements only without
/// multiplexing. A connection string with <c>Multiplexing=true</c> must work for every kind of write.
/// </summary>
public class MultiplexingTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_multiplexing_connection_string_consumes_increments_reserves_meters_in_batches_and_reads(bool coalesceWrites)
    {
        var multiplexing = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Multiplexing = true }.ConnectionString;
        var subject = $"multiplexed-{Guid.NewGuid():N}";
        await using var host = TrackerUnderTest.Build(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 5))
            .UseDefaultPlan("free")
            .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
            .UsePostgreSql(multiplexing, o =>
            {
                o.CoalesceWrites = coalesceWrites;
                o.ListenForSubjectChanges = false;
            }));

        (await host.Tracker.TryConsumeAsync(subject, "images", 2)).Allowed.Should().BeTrue();
        await host.Tracker.IncrementAsync(subject, "images", 1);
        var reserved = await host.Reservations.ReserveAsync(subject, "images", 1, Duration.FromMinutes(5));
        await host.Reservations.CommitAsync(reserved.Reservation!, 1);
        var metered = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
            [new UsageRecord(subject, "images"), new UsageRecord(subject, "images")]);

        metered.Should().OnlyContain(r => r.Succeeded);
        (await host.Tracker.GetUsageAsync(subject)).Single().Used.Should().Be(6);
    }
}
