using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

public class MetricsTests
{
    [Fact]
    public async Task The_QuotaKit_meter_reports_units_consumed_calls_denied_and_durations()
    {
        // A feature key of its own: other tests running at the same time publish on the same meter name.
        var feature = $"metered_{Guid.NewGuid():N}";
        var measurements = new ConcurrentQueue<(string Instrument, double Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "QuotaKit")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

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

        Sum("quotakit.usage.consumed").Should().Be(5);
        Sum("quotakit.usage.denied").Should().Be(1);
        measurements.Count(m => m.Instrument == "quotakit.operation.duration").Should().Be(3);

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "feature", Value: string key } && key == feature)
                {
                    measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        double Sum(string instrument) => measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
    }
}
