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

    [Fact]
    public async Task Refunds_gauges_and_checks_add_no_units_and_only_refused_calls_count_as_denied()
    {
        var feature = $"metered_{Guid.NewGuid():N}";
        var gauge = $"gauge_{Guid.NewGuid():N}";
        using var meter = new QuotaKitMeterRecorder(feature);
        using var gaugeMeter = new QuotaKitMeterRecorder(gauge);
        await using var services = CounterAndGauge(feature, gauge);
        var tracker = services.GetRequiredService<IUsageTracker>();

        await tracker.TryConsumeAsync("metrics-subject", feature, 5);
        await tracker.RefundAsync("metrics-subject", feature, 2);                          // 3 used
        (await tracker.CheckAsync("metrics-subject", feature, 2)).Allowed.Should().BeTrue();
        (await tracker.CheckAsync("metrics-subject", feature, 1)).Allowed.Should().BeTrue();
        (await tracker.CheckAsync("metrics-subject", feature, 3)).Allowed.Should().BeFalse(); // 3 + 3 > 5
        await tracker.SetGaugeAsync("metrics-subject", gauge, 7);

        meter.Sum("quotakit.usage.consumed").Should().Be(5, "only the consume adds units; the refund takes none back from the metric");
        meter.Sum("quotakit.usage.denied").Should().Be(1, "the one refused check");
        meter.Count("quotakit.operation.duration").Should().Be(5);
        gaugeMeter.Sum("quotakit.usage.consumed").Should().Be(0, "a gauge value is not units used");
        gaugeMeter.Count("quotakit.operation.duration").Should().Be(1);
    }

    [Fact]
    public async Task Each_calls_duration_and_denial_are_tagged_with_the_operation_the_caller_made()
    {
        var feature = $"metered_{Guid.NewGuid():N}";
        var gauge = $"gauge_{Guid.NewGuid():N}";
        using var meter = new QuotaKitMeterRecorder(feature);
        using var gaugeMeter = new QuotaKitMeterRecorder(gauge);
        await using var services = CounterAndGauge(feature, gauge);
        var tracker = services.GetRequiredService<IUsageTracker>();
        var reservations = services.GetRequiredService<IUsageReservations>();

        await tracker.TryConsumeAsync("tagged", feature, 1);
        await tracker.IncrementAsync("tagged", feature, 1);
        await tracker.RefundAsync("tagged", feature, 1);
        await tracker.CheckAsync("tagged", feature, 9);                                          // denied: 1 + 9 > 5
        var committed = await reservations.ReserveAsync("tagged", feature, 1, Duration.FromMinutes(5));
        await reservations.CommitAsync(committed.Reservation!, 1);
        var released = await reservations.ReserveAsync("tagged", feature, 1, Duration.FromMinutes(5));
        await reservations.ReleaseAsync(released.Reservation!);
        await tracker.TryConsumeAsync("tagged", feature, 9);                                     // denied
        await tracker.SetGaugeAsync("tagged", gauge, 7);

        meter.Operations("quotakit.operation.duration").Should().Equal(
            "consume", "increment", "refund", "check", "reserve", "commit", "reserve", "release", "consume");
        meter.Operations("quotakit.usage.denied").Should().Equal("check", "consume");
        gaugeMeter.Operations("quotakit.operation.duration").Should().Equal("set");
    }

    [Fact]
    public async Task A_commit_counts_its_units_as_consumed_once_and_a_release_a_replayed_commit_or_a_commit_of_nothing_counts_none()
    {
        // A reservation's units are consumed when it is committed, not when it is held.
        var feature = $"metered_{Guid.NewGuid():N}";
        using var meter = new QuotaKitMeterRecorder(feature);
        await using var services = CounterAndGauge(feature, $"gauge_{Guid.NewGuid():N}");
        var reservations = services.GetRequiredService<IUsageReservations>();
        async Task<Reservation> Reserve(long amount) =>
            (await reservations.ReserveAsync("metered", feature, amount, Duration.FromMinutes(5))).Reservation!;
        var committed = await Reserve(2);
        var released = await Reserve(1);
        var empty = await Reserve(1);

        await reservations.CommitAsync(committed, 1);
        await reservations.CommitAsync(committed, 1);
        await reservations.ReleaseAsync(released);
        await reservations.CommitAsync(empty, 0);

        (meter.Sum("quotakit.usage.consumed"), meter.Count("quotakit.usage.consumed")).Should().Be((1d, 1));
    }

    [Fact]
    public async Task A_gauge_that_keeps_its_highest_value_is_tagged_raise_and_one_that_keeps_its_last_is_tagged_set()
    {
        // The README lists both words; a peak gauge (Max) is raised, not set, even though the caller calls SetGauge.
        var peak = $"peak_{Guid.NewGuid():N}";
        var last = $"last_{Guid.NewGuid():N}";
        using var peakMeter = new QuotaKitMeterRecorder(peak);
        using var lastMeter = new QuotaKitMeterRecorder(last);
        await using var services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature(peak, PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Max)
                .AddFeature(last, PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
        var tracker = services.GetRequiredService<IUsageTracker>();

        await tracker.SetGaugeAsync("tagged", peak, 7);
        await tracker.SetGaugeAsync("tagged", last, 7);

        peakMeter.Operations("quotakit.operation.duration").Should().Equal("raise");
        lastMeter.Operations("quotakit.operation.duration").Should().Equal("set");
    }

    // A counter feature (limit 5) and a gauge (limit 10), on the in-memory store.
    [Fact]
    public async Task Each_instrument_is_published_with_the_unit_the_README_documents()
    {
        // Dashboards and OpenTelemetry exporters key on name and unit; the README's Telemetry paragraph lists both.
        var published = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "QuotaKit")
                {
                    published[instrument.Name] = instrument.Unit;
                }
            },
        };
        listener.Start();

        var feature = $"metered_{Guid.NewGuid():N}";
        await using var services = CounterAndGauge(feature, $"gauge_{Guid.NewGuid():N}");
        await services.GetRequiredService<IUsageTracker>().TryConsumeAsync("metrics-subject", feature, 1);

        published.Should().Contain(new Dictionary<string, string?>
        {
            ["quotakit.usage.consumed"] = "{unit}",
            ["quotakit.usage.denied"] = "{call}",
            ["quotakit.operation.duration"] = "ms",
            ["quotakit.subject_cache.hits"] = "{lookup}",
            ["quotakit.subject_cache.misses"] = "{lookup}",
            ["quotakit.subject_cache.evictions"] = "{subject}",
        });
    }

    private static ServiceProvider CounterAndGauge(string feature, string gauge) =>
        new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature(feature, PeriodPolicy.Day)
                .AddFeature(gauge, PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
                .AddPlan("free", p => p.Limit(feature, 5).Limit(gauge, 10))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
}
