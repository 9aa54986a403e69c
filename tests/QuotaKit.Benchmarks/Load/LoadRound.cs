using System.Diagnostics;

namespace QuotaKit.Benchmarks.Load;

/// <summary>What one measured slice recorded.</summary>
/// <param name="Allowed">Calls granted in the whole slice, warm-up included (for overshoot).</param>
/// <param name="Calls">Calls completed in the whole slice, warm-up included (for round trips per call).</param>
internal sealed record RoundSample(double Seconds, long Allowed, long[] LatencyTicks, long Calls);

/// <summary>
/// Runs <c>concurrency</c> workers calling an operation back to back: a warm-up (not measured), then a measured window.
/// Only calls that start and end inside the window count towards throughput and latency.
/// </summary>
internal static class LoadRound
{
    private const int WarmingUp = 0;
    private const int Measuring = 1;
    private const int Stopped = 2;

    public static async Task<RoundSample> RunAsync(int concurrency, TimeSpan warmUp, TimeSpan measured, Func<int, Task<bool>> operation)
    {
        var phase = WarmingUp;
        var latencies = new List<long>[concurrency];
        var allowed = new long[concurrency];
        var calls = new long[concurrency];
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            latencies[worker] = new List<long>(4096);
            workers[worker] = Task.Run(async () =>
            {
                var random = new Random(Environment.TickCount ^ worker);
                while (Volatile.Read(ref phase) != Stopped)
                {
                    var startPhase = Volatile.Read(ref phase);
                    var started = Stopwatch.GetTimestamp();
                    if (await operation(random.Next()).ConfigureAwait(false))
                    {
                        allowed[worker]++;
                    }

                    var elapsed = Stopwatch.GetTimestamp() - started;
                    calls[worker]++;
                    if (startPhase == Measuring && Volatile.Read(ref phase) == Measuring)
                    {
                        latencies[worker].Add(elapsed);
                    }
                }
            });
        }

        await Task.Delay(warmUp).ConfigureAwait(false);
        var window = Stopwatch.StartNew();
        Volatile.Write(ref phase, Measuring);
        await Task.Delay(measured).ConfigureAwait(false);
        Volatile.Write(ref phase, Stopped);
        var seconds = window.Elapsed.TotalSeconds;
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new RoundSample(seconds, allowed.Sum(), latencies.SelectMany(l => l).ToArray(), calls.Sum());
    }
}
