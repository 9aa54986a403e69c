using System.Diagnostics.Metrics;

namespace QuotaKit;

/// <summary>The "QuotaKit" meter: units consumed, calls denied, call duration, and the subject cache's hits, misses and evictions.</summary>
internal sealed class QuotaKitMetrics : IDisposable
{
    public const string MeterName = "QuotaKit";

    private readonly Meter _meter;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _denied;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _cacheEvictions;

    public QuotaKitMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _consumed = _meter.CreateCounter<long>("quotakit.usage.consumed", "{unit}", "Units recorded by consume and increment calls.");
        _denied = _meter.CreateCounter<long>("quotakit.usage.denied", "{call}", "Calls denied by a limit or a disabled feature.");
        _duration = _meter.CreateHistogram<double>("quotakit.operation.duration", "ms", "Duration of usage calls.");
        _cacheHits = _meter.CreateCounter<long>("quotakit.subject_cache.hits", "{lookup}", "Subject look-ups answered by the in-process cache.");
        _cacheMisses = _meter.CreateCounter<long>("quotakit.subject_cache.misses", "{lookup}", "Subject look-ups the cache could not answer.");
        _cacheEvictions = _meter.CreateCounter<long>(
            "quotakit.subject_cache.evictions", "{subject}", "Subjects dropped from the cache for its capacity or their age (tag: reason).");
    }

    /// <summary>Records one call: its duration, and a denial when it was not allowed.</summary>
    public void RecordCall(string operation, string featureKey, bool allowed, double elapsedMilliseconds)
    {
        var feature = new KeyValuePair<string, object?>("feature", featureKey);
        var op = new KeyValuePair<string, object?>("operation", operation);
        if (!allowed)
        {
            _denied.Add(1, feature, op);
        }

        _duration.Record(elapsedMilliseconds, feature, op);
    }

    /// <summary>Records units newly applied by a consume or increment (not by a replay).</summary>
    public void RecordUnits(string featureKey, long amount) =>
        _consumed.Add(amount, new KeyValuePair<string, object?>("feature", featureKey));

    public void RecordSubjectCacheHit() => _cacheHits.Add(1);

    public void RecordSubjectCacheMiss() => _cacheMisses.Add(1);

    public void RecordSubjectCacheEviction(string reason) => _cacheEvictions.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
