using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Subjects;

/// <summary>
/// The default subject cache: bounded, measured on the QuotaKit meter, evicted by the change feed, and trusted for the
/// long lifetime only while changes are pushed. Changes are made behind its back (on the store directly, not through
/// the admin API, which would evict), so only the cache's own rules decide what it answers.
/// </summary>
public sealed class SubjectCacheTests : IDisposable
{
    private static readonly TimeSpan ShortLifetime = TimeSpan.FromMilliseconds(200);

    private readonly ScopedMeterFactory _meters = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, object? Reason)> _measurements = new();
    private readonly MeterListener _listener = new();

    public SubjectCacheTests()
    {
        // Only this test's meter: other tests publish on meters of the same name at the same time.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == _meters)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            object? reason = null;
            foreach (var tag in tags)
            {
                reason = tag.Key == "reason" ? tag.Value : reason;
            }

            _measurements.Enqueue((instrument.Name, value, reason));
        });
        _listener.Start();
    }

    [Fact]
    public async Task A_subject_read_once_is_a_miss_and_then_a_hit_on_the_meter()
    {
        await using var services = Build();
        var cache = services.GetRequiredService<SubjectCache>();

        await cache.ResolveAsync("s", CancellationToken.None);
        await cache.ResolveAsync("s", CancellationToken.None);
        await cache.ResolveAsync("t", CancellationToken.None);

        (Sum("quotakit.subject_cache.misses"), Sum("quotakit.subject_cache.hits")).Should().Be((2L, 1L));
    }

    [Fact]
    public async Task The_cache_holds_no_more_subjects_than_its_capacity_and_reports_the_evictions()
    {
        // Entries live an hour here: only the capacity may remove them.
        await using var services = Build(o => (o.SubjectCacheCapacity, o.SubjectCacheDuration) = (20, Duration.FromHours(1)));
        var cache = services.GetRequiredService<SubjectCache>();
        var subjects = Enumerable.Range(0, 200).Select(i => $"s{i}").ToList();
        foreach (var subject in subjects)
        {
            await cache.ResolveAsync(subject, CancellationToken.None);
        }

        // Compaction runs in the background once the limit is reached.
        for (var waited = 0; Sum("quotakit.subject_cache.evictions") == 0 && waited < 5000; waited += 20)
        {
            await Task.Delay(20);
        }

        var stillCached = subjects.Count(s => cache.TryGet(s, out _));
        stillCached.Should().BeInRange(1, 20);
        Sum("quotakit.subject_cache.evictions").Should().BeGreaterThan(0);
        _measurements.Where(m => m.Instrument == "quotakit.subject_cache.evictions").Select(m => m.Reason)
            .Should().OnlyContain(reason => Equals(reason, "capacity"), "the README tags each eviction with its reason");
    }

    [Fact]
    public async Task Without_pushed_changes_an_entry_is_read_again_after_the_short_lifetime()
    {
        await using var services = Build();
        var (cache, store) = (services.GetRequiredService<SubjectCache>(), services.GetRequiredService<SubjectStore>());
        await cache.ResolveAsync("s", CancellationToken.None);

        await store.SetPlanAsync("s", "pro", Instant.FromUtc(2025, 1, 1, 0, 0), CancellationToken.None);
        var before = (await cache.ResolveAsync("s", CancellationToken.None)).PlanKey;
        await Task.Delay(ShortLifetime * 2);
        var after = (await cache.ResolveAsync("s", CancellationToken.None)).PlanKey;

        (before, after).Should().Be(((string?)null, "pro"));
    }

    [Fact]
    public async Task While_changes_are_pushed_an_entry_outlives_the_short_lifetime_and_when_the_push_stops_it_is_read_again()
    {
        await using var services = Build();
        var (cache, store, feed) = (services.GetRequiredService<SubjectCache>(), services.GetRequiredService<SubjectStore>(), services.GetRequiredService<SubjectChangeFeed>());
        feed.Connect();
        await cache.ResolveAsync("s", CancellationToken.None);

        await store.SetPlanAsync("s", "pro", Instant.FromUtc(2025, 1, 1, 0, 0), CancellationToken.None);
        await Task.Delay(ShortLifetime * 2);
        var whilePushed = (await cache.ResolveAsync("s", CancellationToken.None)).PlanKey;
        feed.Disconnect();
        var afterPushStopped = (await cache.ResolveAsync("s", CancellationToken.None)).PlanKey;

        (whilePushed, afterPushStopped).Should().Be(((string?)null, "pro"));
    }

    [Fact]
    public async Task A_published_change_evicts_its_subject_only_and_a_reconnect_evicts_every_subject()
    {
        await using var services = Build();
        var (cache, store, feed) = (services.GetRequiredService<SubjectCache>(), services.GetRequiredService<SubjectStore>(), services.GetRequiredService<SubjectChangeFeed>());
        feed.Connect();
        await cache.ResolveAsync("a", CancellationToken.None);
        await cache.ResolveAsync("b", CancellationToken.None);
        await store.SetPlanAsync("a", "pro", Instant.FromUtc(2025, 1, 1, 0, 0), CancellationToken.None);
        await store.SetPlanAsync("b", "pro", Instant.FromUtc(2025, 1, 1, 0, 0), CancellationToken.None);

        feed.Publish("a");
        var afterPublish = ((await cache.ResolveAsync("a", CancellationToken.None)).PlanKey, (await cache.ResolveAsync("b", CancellationToken.None)).PlanKey);
        feed.Disconnect();
        feed.Connect();
        var afterReconnect = (await cache.ResolveAsync("b", CancellationToken.None)).PlanKey;

        afterPublish.Should().Be(("pro", (string?)null));
        afterReconnect.Should().Be("pro");
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private long Sum(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    private ServiceProvider Build(Action<QuotaKitOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(new QuotaKitMetrics(_meters));
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 3))
            .AddPlan("pro", p => p.Limit("images", 100))
            .UseDefaultPlan("free")
            .UseInMemoryStore()
            .Configure(o =>
            {
                o.SubjectCacheDuration = Duration.FromTimeSpan(ShortLifetime);
                configure?.Invoke(o);
            }));
        return services.BuildServiceProvider();
    }

    /// <summary>Meters whose <see cref="Meter.Scope"/> is this factory, so a listener can tell them apart.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(m => m.Dispose());
    }
}
