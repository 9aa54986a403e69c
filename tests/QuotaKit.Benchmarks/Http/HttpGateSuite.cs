using System.Globalization;
using System.Text;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;

namespace QuotaKit.Benchmarks.Http;

/// <summary>One contender's measured throughput at one concurrency, over all its slices.</summary>
internal sealed record HttpGateResult(string Endpoint, int Concurrency, long Requests, double Seconds, double P50Ms, double P99Ms)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// Requests per second through <c>/gated</c> (RequireQuota) against <c>/manual</c> (the tracker called by hand), in the
/// same process and run, on real Kestrel and HttpClient over loopback: each concurrency gets a warm-up per endpoint,
/// then slices interleaved A B B A A B ... so a slow spell of the disk hits both alike. Only requests that start and
/// end inside a slice count. Every request is an allowed write of one unit for one of 1,000 subjects per endpoint.
/// </summary>
internal sealed class HttpGateSuite(BenchmarkOptions options, Workload workload, string connectionString)
{
    private const int Subjects = 1_000;
    private static readonly string[] Endpoints = ["gated", "manual"];

    public List<HttpGateResult> Results { get; } = [];

    public async Task RunAsync()
    {
        // With --http-in-memory the store costs almost nothing, so the gate's own CPU cost stands out (an upper bound).
        await using var host = await GateBenchmarkHost.StartAsync(workload, options.HttpInMemory ? null : connectionString);
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = host.BaseAddress };
        var subjects = Endpoints.ToDictionary(e => e, e => Enumerable.Range(0, Subjects).Select(i => workload.Subject(e, "http", i)).ToArray());

        // Every counter row and cached subject exists before anything is measured: measured requests update, never insert.
        foreach (var endpoint in Endpoints)
        {
            await Parallel.ForEachAsync(subjects[endpoint], new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (subject, _) => await SendAsync(client, endpoint, subject));
        }

        foreach (var concurrency in options.Quick ? new[] { 16 } : new[] { 8, 32 })
        {
            var samples = Endpoints.ToDictionary(e => e, _ => new List<RoundSample>());
            foreach (var endpoint in Endpoints)
            {
                await RoundAsync(client, endpoint, subjects[endpoint], concurrency, options.WarmUpDuration, TimeSpan.FromMilliseconds(1));
            }

            for (var slice = 0; slice < options.Slices * 2; slice++)
            {
                // A B B A A B ...: neither endpoint always goes first after the other.
                foreach (var endpoint in slice % 2 == 0 ? Endpoints : Endpoints.Reverse())
                {
                    samples[endpoint].Add(await RoundAsync(
                        client, endpoint, subjects[endpoint], concurrency, options.SliceWarmUpDuration, options.SliceDuration));
                }
            }

            foreach (var endpoint in Endpoints)
            {
                var latencies = samples[endpoint].SelectMany(s => s.LatencyTicks).Order().ToArray();
                Results.Add(new HttpGateResult(
                    endpoint, concurrency, latencies.Length, samples[endpoint].Sum(s => s.Seconds),
                    Milliseconds(latencies, 0.50), Milliseconds(latencies, 0.99)));
                Console.WriteLine($"  http {endpoint} c={concurrency}: {Results[^1].RequestsPerSecond:F0} req/s");
            }
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| Concurrency | Endpoint | Requests/s | p50 ms | p99 ms | Gate cost |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|");
        foreach (var group in Results.GroupBy(r => r.Concurrency))
        {
            var manual = group.Single(r => r.Endpoint == "manual");
            foreach (var result in group)
            {
                var cost = result.Endpoint == "gated" ? (1 - result.RequestsPerSecond / manual.RequestsPerSecond).ToString("P1", CultureInfo.InvariantCulture) : "baseline";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {result.Concurrency} | `/{result.Endpoint}` | {result.RequestsPerSecond:F0} | {result.P50Ms:F2} | {result.P99Ms:F2} | {cost} |");
            }
        }

        return text.ToString();
    }

    private static Task<RoundSample> RoundAsync(HttpClient client, string endpoint, string[] subjects, int concurrency, TimeSpan warmUp, TimeSpan measured) =>
        LoadRound.RunAsync(concurrency, warmUp, measured, random => SendAsync(client, endpoint, subjects[random % subjects.Length]));

    private static async Task<bool> SendAsync(HttpClient client, string endpoint, string subject)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + endpoint);
        request.Headers.Add(GateBenchmarkHost.SubjectHeader, subject);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        // Every request is an allowed write: anything else would make the comparison meaningless.
        return response.IsSuccessStatusCode ? true : throw new InvalidOperationException($"/{endpoint} answered {(int)response.StatusCode}.");
    }

    private static double Milliseconds(long[] sortedTicks, double quantile) =>
        sortedTicks.Length == 0 ? 0 : sortedTicks[(int)Math.Min(sortedTicks.Length - 1, quantile * sortedTicks.Length)] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
