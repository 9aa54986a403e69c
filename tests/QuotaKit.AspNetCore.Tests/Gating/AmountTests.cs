using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>How much a request consumes. In-memory store: reading the amount from the request is under test.</summary>
public sealed class AmountTests
{
    public sealed record Export(long Pages);

    private static Task<GateHost> StartAsync() => GateHost.StartAsync(app =>
    {
        app.MapPost("/constant", () => "ok").RequireQuota("pages", r => r.Amount = 5);
        app.MapPost("/route/{pages}", (int pages) => "ok").RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromRoute("pages")));
        app.MapPost("/query", () => "ok").RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromQuery("pages")));
        app.MapPost("/header", () => "ok").RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromHeader("X-Pages")));
        app.MapPost("/body", (Export export) => export.Pages)
            .RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromBody<Export>(e => e.Pages)));
    });

    [Theory]
    [InlineData("/constant", 5)]
    [InlineData("/route/7", 7)]
    [InlineData("/query?pages=4", 4)]
    public async Task The_amount_is_a_constant_or_comes_from_the_route_or_query(string path, long expected)
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        (await host.PostAsync(path, subject)).EnsureSuccessStatusCode();

        (await host.UsedAsync(subject, "pages")).Should().Be(expected);
    }

    [Fact]
    public async Task The_amount_can_come_from_a_header()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();
        var request = new HttpRequestMessage(HttpMethod.Post, "/header");
        request.Headers.Add("X-User", subject);
        request.Headers.Add("X-Pages", "6");

        (await host.Client.SendAsync(request)).EnsureSuccessStatusCode();

        (await host.UsedAsync(subject, "pages")).Should().Be(6);
    }

    [Fact]
    public async Task The_amount_can_come_from_the_json_body_which_the_handler_still_receives()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/body", subject, JsonContent.Create(new Export(9)));

        (await response.Content.ReadAsStringAsync()).Should().Be("9");
        (await host.UsedAsync(subject, "pages")).Should().Be(9);
    }

    [Fact]
    public async Task An_amount_over_the_limit_is_denied_and_nothing_is_counted()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/body", subject, JsonContent.Create(new Export(21)));

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await host.UsedAsync(subject, "pages")).Should().Be(0);
    }

    [Theory]
    [InlineData("/query?pages=lots", "not a whole number")]
    [InlineData("/query", "missing")]
    [InlineData("/query?pages=1&pages=2", "more than once")]
    [InlineData("/query?pages=0", "Invalid amount 0")]
    [InlineData("/query?pages=99999999999999999999", "not a whole number")]
    public async Task A_missing_or_invalid_amount_is_a_400_problem(string path, string detail)
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync(path, GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("detail").GetString().Should().Contain(detail);
    }

    [Fact]
    public async Task A_negative_body_amount_is_a_400_problem()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/body", GateHost.NewSubject(), JsonContent.Create(new Export(-3)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
