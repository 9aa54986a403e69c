using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>The usage page, the health check and the gate's span, on PostgreSQL (they report the store's state).</summary>
public sealed class UsageAndHealthTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private Task<GateHost> StartAsync() => GateHost.StartAsync(
        app =>
        {
            app.MapPost("/images", () => "ok").RequireQuota("images");
            app.MapQuotaUsage("/usage");
            app.MapHealthChecks("/health");
        },
        connectionString: database.ConnectionString,
        configure: builder => builder.Services.AddHealthChecks().AddQuotaKit());

    [Fact]
    public async Task The_usage_page_lists_the_subjects_features_with_used_limit_remaining_and_reset()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();
        (await host.PostAsync("/images", subject)).EnsureSuccessStatusCode();
        var request = new HttpRequestMessage(HttpMethod.Get, "/usage");
        request.Headers.Add("X-User", subject);

        var items = await (await host.Client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();

        var byFeature = items.EnumerateArray().ToDictionary(i => i.GetProperty("feature").GetString()!);
        var images = byFeature["images"];
        images.GetProperty("used").GetInt64().Should().Be(1);
        images.GetProperty("limit").GetInt64().Should().Be(3);
        images.GetProperty("remaining").GetInt64().Should().Be(2);
        images.GetProperty("unit").GetString().Should().Be("image");
        images.GetProperty("resetsAt").GetString().Should().Be("2025-04-11T00:00:00Z");
        byFeature["search"].GetProperty("limit").ValueKind.Should().Be(JsonValueKind.Null, "search is unlimited");
        byFeature["credits"].GetProperty("resetsAt").ValueKind.Should().Be(JsonValueKind.Null, "a lifetime allowance never resets");
    }

    [Fact]
    public async Task The_usage_page_shows_each_credit_blocks_remaining_and_counts_it_in_remaining()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();
        var admin = host.App.Services.GetRequiredService<IQuotaAdministration>();
        var block = await admin.AddCreditBlockAsync(subject, "images", 10, validUntil: host.Clock.GetCurrentInstant() + NodaTime.Duration.FromDays(30));
        await host.SpendAsync("/images", subject, 3);

        // The plan's 3 are spent: the fourth and fifth images burn 2 of the block's 10.
        await host.SpendAsync("/images", subject, 1);
        var fifth = await host.PostAsync("/images", subject);
        var request = new HttpRequestMessage(HttpMethod.Get, "/usage");
        request.Headers.Add("X-User", subject);
        var items = await (await host.Client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();

        fifth.EnsureSuccessStatusCode();
        fifth.Header("RateLimit").Should().StartWith("\"images\";r=8;", "0 left in the plan + 8 in the block");
        var images = items.EnumerateArray().Single(i => i.GetProperty("feature").GetString() == "images");
        (images.GetProperty("used").GetInt64(), images.GetProperty("remaining").GetInt64(), images.GetProperty("blocksBurned").GetInt64())
            .Should().Be((5L, 8L, 2L));
        var blocks = images.GetProperty("blocks").EnumerateArray().ToList();
        blocks.Should().ContainSingle();
        blocks[0].GetProperty("id").GetGuid().Should().Be(block.Id);
        (blocks[0].GetProperty("remaining").GetInt64(), blocks[0].GetProperty("amount").GetInt64()).Should().Be((8L, 10L));
    }

    [Fact]
    public async Task The_usage_page_without_a_subject_is_401()
    {
        await using var host = await StartAsync();

        (await host.Client.GetAsync("/usage")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_health_check_is_healthy_when_the_store_answers_and_writes_nothing()
    {
        await using var host = await StartAsync();

        var report = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["quotakit"].Status.Should().Be(HealthStatus.Healthy);
        (await host.Client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Tracker.GetUsageAsync(QuotaKitHealthChecksBuilderExtensions.DefaultProbeSubject))
            .Should().OnlyContain(u => u.Used == 0);
    }

    [Fact]
    public async Task Each_gated_request_is_a_span_of_the_QuotaKit_activity_source()
    {
        var spans = new List<Activity>();
        var subject = GateHost.NewSubject();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "QuotaKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await StartAsync();

        (await host.PostAsync("/images", subject)).EnsureSuccessStatusCode();

        lock (spans)
        {
            spans.Should().Contain(a => a.OperationName == "quotakit.gate" && (string?)a.GetTagItem("quotakit.outcome") == "allowed");
        }
    }
}
