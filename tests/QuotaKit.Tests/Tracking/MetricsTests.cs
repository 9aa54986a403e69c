using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

public class MetricsTests
{
    [Fact]
    public async Task The_QuotaKit_meter_reports_units_consumed_calls_denied_and_durations()
    {
        // A feature key of its own: other tests running at the same time publish on the same meter name.
        var feature = $"metered_{Guid.NewGuid():N}";
        using var meter = new QuotaKitMeterRecorder(feature);

        await using var services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature(feature, PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit(feature, 5))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
        var tracker = services.GetRequiredService<IUsageTracker>();

        await tracker.TryConsumeAsync("metrics-subject", feature, 3);
        await tracker.TryConsumeAsync("metrics-subject", feature, 2);
        await tracker.TryConsumeAsync("metrics-subject", feature, 1); // denied: 5 of 5 used

        meter.Sum("quotakit.usage.consumed").Should().Be(5);
        meter.Sum("quotakit.usage.denied").Should().Be(1);
        meter.Count("quotakit.operation.duration").Should().Be(3);
    }
}
