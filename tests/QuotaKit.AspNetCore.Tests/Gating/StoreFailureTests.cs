using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>
/// A store that cannot be reached: the PostgreSQL store pointed at a loopback port where no server listens, so the
/// failure is the real one (a refused connection), not a mock.
/// </summary>
public sealed class StoreFailureTests
{
    private static string UnreachableDatabase() =>
        $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=nobody;Database=nothing;Timeout=3;Pooling=false";

    private static Task<GateHost> StartAsync(Action<QuotaHttpOptions>? http = null) => GateHost.StartAsync(
        app =>
        {
            app.MapPost("/images", () => "ok").RequireQuota("images");
            app.MapPost("/open", (HttpContext c) => c.GetQuotaFeature()!.FailedOpenFeatures).RequireQuota("fail_open");
            app.MapQuotaUsage("/usage");
            app.MapHealthChecks("/health");
        },
        http,
        connectionString: UnreachableDatabase(),
        configure: builder => builder.Services.AddHealthChecks().AddQuotaKit(),
        applyMigrations: false);

    [Fact]
    public async Task An_unreachable_store_answers_503_with_retry_after_not_500()
    {
        await using var host = await StartAsync(o => o.StoreUnavailableRetryAfter = TimeSpan.FromSeconds(7));

        var response = await host.PostAsync("/images", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        (await response.ProblemAsync()).GetProperty("title").GetString().Should().Be("Quota store unavailable");
    }

    [Fact]
    public async Task A_fail_open_feature_lets_the_request_through_and_counts_it()
    {
        var failOpens = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "QuotaKit" && instrument.Name == "quotakit.http.fail_open")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "feature", Value: "fail_open" })
                {
                    Interlocked.Add(ref failOpens, value);
                }
            }
        });
        listener.Start();
        await using var host = await StartAsync(o => o.FailOpenFeatures.Add("fail_open"));

        var response = await host.PostAsync("/open", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("[\"fail_open\"]");
        Interlocked.Read(ref failOpens).Should().Be(1);
    }

    [Fact]
    public async Task The_usage_page_answers_503_when_the_store_is_unreachable()
    {
        await using var host = await StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/usage");
        request.Headers.Add("X-User", "ada");

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_when_the_store_is_unreachable()
    {
        await using var host = await StartAsync();

        var report = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["quotakit"].Status.Should().Be(HealthStatus.Unhealthy);
        (await host.Client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }
}
