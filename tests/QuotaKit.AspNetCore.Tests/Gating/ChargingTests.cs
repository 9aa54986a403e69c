using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>
/// All-or-nothing, charge-on-success, idempotency: what stays charged is the point, so these run on PostgreSQL.
/// </summary>
public sealed class ChargingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private Task<GateHost> StartAsync(Action<WebApplication> map) => GateHost.StartAsync(map, connectionString: database.ConnectionString);

    [Fact]
    public async Task When_a_later_quota_is_denied_the_earlier_ones_are_given_back()
    {
        await using var host = await StartAsync(app =>
            app.MapGroup("/g").RequireQuota("images").MapPost("/export", () => "ok").RequireQuota("pages", r => r.Amount = 15));
        var subject = GateHost.NewSubject();
        (await host.PostAsync("/g/export", subject)).EnsureSuccessStatusCode();

        var denied = await host.PostAsync("/g/export", subject);

        denied.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await denied.ProblemAsync()).GetProperty("violated-policies")[0].GetString().Should().Be("pages");
        (await host.UsedAsync(subject, "images")).Should().Be(1, "the group's image was refunded when pages were denied");
        (await host.UsedAsync(subject, "pages")).Should().Be(15);
        denied.Header("RateLimit").Should().Be("\"images\";r=2;t=3600, \"pages\";r=5;t=1731600");
    }

    [Fact]
    public async Task The_group_quota_is_consumed_once_per_request_and_before_the_endpoints()
    {
        await using var host = await StartAsync(app =>
            app.MapGroup("/g").RequireQuota("images").MapPost("/a", (HttpContext c) => c.GetQuotaFeature()!.Decisions.Select(d => d.FeatureKey))
                .RequireQuota("pages"));
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/g/a", subject);

        (await response.Content.ReadAsStringAsync()).Should().Be("[\"images\",\"pages\"]");
        (await host.UsedAsync(subject, "images")).Should().Be(1);
    }

    [Fact]
    public async Task A_handler_that_throws_gives_a_charge_on_success_quota_back()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", string () => throw new InvalidOperationException("model down"))
            .RequireQuota("images", r => r.ChargeOnlyOnSuccess = true));
        var subject = GateHost.NewSubject();

        // TestServer hands the unhandled exception to the client instead of a 500.
        var send = () => host.PostAsync("/images", subject);

        await send.Should().ThrowAsync<InvalidOperationException>().WithMessage("model down");
        (await host.UsedAsync(subject, "images")).Should().Be(0);
    }

    [Fact]
    public async Task A_5xx_result_gives_a_charge_on_success_quota_back_and_the_headers_say_so()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", () => Results.StatusCode(502))
            .RequireQuota("images", r => r.ChargeOnlyOnSuccess = true));
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/images", subject);

        response.StatusCode.Should().Be(HttpStatusCode.BadGateway);
        (await host.UsedAsync(subject, "images")).Should().Be(0);
        response.Header("RateLimit").Should().Be("\"images\";r=3;t=3600");
    }

    [Fact]
    public async Task A_5xx_status_set_on_the_response_also_counts_as_a_failure()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", (HttpContext c) => { c.Response.StatusCode = 500; })
            .RequireQuota("images", r => r.ChargeOnlyOnSuccess = true));
        var subject = GateHost.NewSubject();

        await host.PostAsync("/images", subject);

        (await host.UsedAsync(subject, "images")).Should().Be(0);
    }

    [Fact]
    public async Task A_4xx_result_is_the_clients_fault_and_stays_charged()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", () => Results.BadRequest())
            .RequireQuota("images", r => r.ChargeOnlyOnSuccess = true));
        var subject = GateHost.NewSubject();

        await host.PostAsync("/images", subject);

        (await host.UsedAsync(subject, "images")).Should().Be(1);
    }

    [Fact]
    public async Task Without_charge_on_success_a_failing_handler_stays_charged()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", () => Results.StatusCode(500)).RequireQuota("images"));
        var subject = GateHost.NewSubject();

        await host.PostAsync("/images", subject);

        (await host.UsedAsync(subject, "images")).Should().Be(1);
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_is_charged_once_and_the_handler_sees_the_replay()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", (HttpContext c) => c.GetQuotaFeature()!.IsReplay)
            .RequireQuota("images").RequireQuota("pages", r => r.Amount = 2));
        var subject = GateHost.NewSubject();

        var first = await host.PostAsync("/images", subject, idempotencyKey: "req-1");
        var retry = await host.PostAsync("/images", subject, idempotencyKey: "req-1");
        var other = await host.PostAsync("/images", subject, idempotencyKey: "req-2");

        (await first.Content.ReadAsStringAsync()).Should().Be("false");
        (await retry.Content.ReadAsStringAsync()).Should().Be("true");
        (await other.Content.ReadAsStringAsync()).Should().Be("false");
        (await host.UsedAsync(subject, "images")).Should().Be(2);
        (await host.UsedAsync(subject, "pages")).Should().Be(4);
        retry.Header("RateLimit").Should().Be("\"images\";r=2;t=3600, \"pages\";r=18;t=1731600");
    }

    [Fact]
    public async Task An_idempotency_key_reused_for_another_amount_is_a_422_problem()
    {
        await using var host = await StartAsync(app => app.MapPost("/pages", () => "ok")
            .RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromQuery("n"))));
        var subject = GateHost.NewSubject();
        (await host.PostAsync("/pages?n=1", subject, idempotencyKey: "k")).EnsureSuccessStatusCode();

        var response = await host.PostAsync("/pages?n=2", subject, idempotencyKey: "k");

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("Idempotency-Key");
    }

    [Fact]
    public async Task An_idempotency_key_too_long_for_the_store_is_a_400_problem()
    {
        await using var host = await StartAsync(app => app.MapPost("/images", () => "ok").RequireQuota("images"));

        var response = await host.PostAsync("/images", GateHost.NewSubject(), idempotencyKey: new string('k', 250));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
