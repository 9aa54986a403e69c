using System.Diagnostics.Metrics;

namespace QuotaKit.Benchmarks.Subjects;

/// <summary>
/// Counts round trips to PostgreSQL in this process: Npgsql records one <c>db.client.operation.duration</c> measurement
/// per command or batch it executes (a batch of several statements is one round trip), whatever the data source.
/// </summary>
internal sealed class RoundTripCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public RoundTripCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Npgsql", StringComparison.Ordinal) && instrument.Name == "db.client.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
