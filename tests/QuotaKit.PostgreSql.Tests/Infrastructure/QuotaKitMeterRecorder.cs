using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// Listens to the "QuotaKit" meter and keeps the measurements tagged with one feature key. The meter is process-wide and
/// tests run in parallel, so a test gives its feature a key no other test uses.
/// </summary>
public sealed class QuotaKitMeterRecorder : IDisposable
{
    private readonly MeterListener _listener;
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Operation)> _measurements = new();
    private readonly string _featureKey;

    public QuotaKitMeterRecorder(string featureKey)
    {
        _featureKey = featureKey;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "QuotaKit")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of the feature's measurements on <paramref name="instrument"/>.</summary>
    public double Sum(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    /// <summary>How many measurements of the feature <paramref name="instrument"/> received.</summary>
    public int Count(string instrument) => _measurements.Count(m => m.Instrument == instrument);

    /// <summary>The <c>operation</c> tag of each of the feature's measurements on <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<string?> Operations(string instrument) =>
        _measurements.Where(m => m.Instrument == instrument).Select(m => m.Operation).ToList();

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        string? operation = null;
        var ofThisFeature = false;
        foreach (var tag in tags)
        {
            ofThisFeature |= tag is { Key: "feature", Value: string key } && key == _featureKey;
            operation = tag is { Key: "operation", Value: string name } ? name : operation;
        }

        if (ofThisFeature)
        {
            _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, CultureInfo.InvariantCulture), operation));
        }
    }
}
