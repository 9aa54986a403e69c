using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace QuotaKit.Samples.WebApi;

/// <summary>
/// Exports QuotaKit's traces (ActivitySource "QuotaKit") and metrics (Meter "QuotaKit") with the OpenTelemetry SDK,
/// printed to the console. In a real app use OpenTelemetry.Extensions.Hosting and an OTLP exporter instead:
/// <c>services.AddOpenTelemetry().WithTracing(t =&gt; t.AddSource("QuotaKit").AddOtlpExporter())
/// .WithMetrics(m =&gt; m.AddMeter("QuotaKit").AddOtlpExporter())</c>; the sources are the same.
/// </summary>
internal static class SampleTelemetry
{
    public static void AddConsoleExport(IServiceCollection services)
    {
        // Created with the service provider and disposed with it (flushing the last spans and metrics at shutdown).
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .AddSource("QuotaKit")
            // The request spans too: with the default parent-based sampler, QuotaKit's span (a child of the request's)
            // is only recorded when the request's is.
            .AddSource("Microsoft.AspNetCore")
            .AddProcessor(new SimpleActivityExportProcessor(new ConsoleSpanExporter()))
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .AddMeter("QuotaKit")
            .AddReader(new PeriodicExportingMetricReader(new ConsoleMetricExporter(), exportIntervalMilliseconds: 10_000))
            .Build());
        services.AddHostedService<TelemetryStarter>();
    }

    /// <summary>Resolves the providers at start-up so they listen from the first request.</summary>
    private sealed class TelemetryStarter(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = (tracing, metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ConsoleSpanExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                var tags = string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
                Console.WriteLine($"[trace] {activity.Source.Name} '{activity.DisplayName}' {activity.Duration.TotalMilliseconds:F1} ms {tags}");
            }

            return ExportResult.Success;
        }
    }

    private sealed class ConsoleMetricExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var value = metric.MetricType.IsHistogram() ? point.GetHistogramSum() : metric.MetricType.IsDouble() ? point.GetSumDouble() : point.GetSumLong();
                    Console.WriteLine($"[metric] {metric.Name} {value}");
                }
            }

            return ExportResult.Success;
        }
    }
}
