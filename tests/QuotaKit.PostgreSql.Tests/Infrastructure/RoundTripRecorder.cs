using System.Diagnostics.Metrics;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// Counts round trips to one database: Npgsql records one <c>db.client.operation.duration</c> measurement per command
/// or batch it executes (a batch of several statements is one round trip). Tests run in parallel, each class on its own
/// database, so only measurements tagged with this database's name are counted.
/// </summary>
public sealed class RoundTripRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _database;
    private long _count;

    public RoundTripRecorder(string connectionString)
    {
        _database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Npgsql", StringComparison.Ordinal) && instrument.Name == "db.client.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Value is string value && value.Contains(_database, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _count);
                    return;
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>How many round trips <paramref name="action"/> made.</summary>
    public async Task<long> CountAsync(Func<Task> action)
    {
        var before = Count;
        await action();
        return Count - before;
    }

    public void Dispose() => _listener.Dispose();
}
