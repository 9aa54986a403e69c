using System.Net;
using Microsoft.AspNetCore.Builder;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>RateLimit-Policy and RateLimit on every gated response. In-memory store: only the HTTP mapping is under test.</summary>
public sealed class RateLimitHeaderTests
{
    private static Task<GateHost> StartAsync(Action<QuotaHttpOptions>? http = null) => GateHost.StartAsync(app =>
    {
        app.MapPost("/images", () => "ok").RequireQuota("images");
        app.MapPost("/quiet", () => "ok").RequireQuota("images", r => r.SendRateLimitHeaders = false);
        app.MapPost("/pages", () => "ok").RequireQuota("pages");
        app.MapPost("/credits", () => "ok").RequireQuota("credits");
        app.MapPost("/search", () => "ok").RequireQuota("search");
        app.MapPost("/voice", () => "ok").RequireQuota("voice");
        app.MapPost("/both", () => "ok").RequireQuota("images").RequireQuota("pages", r => r.Amount = 4);
    }, http);

    [Fact]
    public async Task An_allowed_response_advertises_the_policy_and_what_is_left_until_the_reset()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/images", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit-Policy").Should().Be("\"images\";q=3;w=86400");
        response.Header("RateLimit").Should().Be("\"images\";r=2;t=3600");
    }

    [Fact]
    public async Task A_denied_response_carries_both_headers_too()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();
        await host.SpendAsync("/images", subject, 3);

        var denied = await host.PostAsync("/images", subject);

        denied.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        denied.Header("RateLimit-Policy").Should().Be("\"images\";q=3;w=86400");
        denied.Header("RateLimit").Should().Be("\"images\";r=0;t=3600");
    }

    [Fact]
    public async Task Several_quotas_are_listed_in_order_as_one_structured_list()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/both", GateHost.NewSubject());

        response.Header("RateLimit-Policy").Should().Be("\"images\";q=3;w=86400, \"pages\";q=20;w=2592000");
        response.Header("RateLimit").Should().Be("\"images\";r=2;t=3600, \"pages\";r=16;t=1731600");
    }

    [Fact]
    public async Task A_month_advertises_the_current_month_as_its_window()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/pages", GateHost.NewSubject());

        // April has 30 days; the period ends on May 1st 00:00 UTC, 20 days and 1 hour after the clock.
        response.Header("RateLimit-Policy").Should().Be("\"pages\";q=20;w=2592000");
        response.Header("RateLimit").Should().Be("\"pages\";r=19;t=1731600");
    }

    [Fact]
    public async Task A_lifetime_allowance_has_no_window_and_no_reset()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/credits", GateHost.NewSubject());

        response.Header("RateLimit-Policy").Should().Be("\"credits\";q=2");
        response.Header("RateLimit").Should().Be("\"credits\";r=1");
    }

    [Fact]
    public async Task Unlimited_features_and_soft_limits_are_not_advertised()
    {
        await using var host = await StartAsync();

        var unlimited = await host.PostAsync("/search", GateHost.NewSubject());
        var soft = await host.PostAsync("/voice", GateHost.NewSubject());

        unlimited.StatusCode.Should().Be(HttpStatusCode.OK);
        unlimited.Header("RateLimit-Policy").Should().BeNull();
        unlimited.Header("RateLimit").Should().BeNull();
        soft.Header("RateLimit-Policy").Should().BeNull();
    }

    [Fact]
    public async Task An_endpoint_can_turn_the_headers_off()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/quiet", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit-Policy").Should().BeNull();
        response.Header("RateLimit").Should().BeNull();
    }

    [Fact]
    public async Task The_application_can_turn_the_headers_off()
    {
        await using var host = await StartAsync(o => o.SendRateLimitHeaders = false);

        var response = await host.PostAsync("/images", GateHost.NewSubject());

        response.Header("RateLimit").Should().BeNull();
    }

    [Fact]
    public async Task The_reset_counts_down_with_the_clock()
    {
        await using var host = await StartAsync();
        host.Clock.Advance(NodaTime.Duration.FromSeconds(1799.5));

        var response = await host.PostAsync("/images", GateHost.NewSubject());

        // 1800.5 s left: rounded up, so a client never retries before the reset.
        response.Header("RateLimit").Should().Be("\"images\";r=2;t=1801");
    }
}
