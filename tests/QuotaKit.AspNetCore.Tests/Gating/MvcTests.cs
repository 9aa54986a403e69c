using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

[ApiController]
[Route("mvc")]
[RequireQuota("images")]
public sealed class GatedController : ControllerBase
{
    [HttpPost("images")]
    public IActionResult Image() => Ok(HttpContext.GetQuotaFeature()!.Decisions.Select(d => d.FeatureKey));

    [HttpPost("pages/{pages}")]
    [RequireQuota("pages", AmountFromRoute = "pages")]
    public IActionResult Pages(int pages) => Ok(pages);

    [HttpPost("fails")]
    [RequireQuota("pages", Amount = 2, ChargeOnlyOnSuccess = true)]
    public IActionResult Fails() => StatusCode(StatusCodes.Status503ServiceUnavailable);
}

/// <summary>[RequireQuota] on MVC controllers and actions. In-memory store: the MVC wiring is under test.</summary>
public sealed class MvcTests
{
    private static Task<GateHost> StartAsync() => GateHost.StartAsync(
        app => app.MapControllers(),
        configure: builder => builder.Services.AddControllers().AddApplicationPart(typeof(GatedController).Assembly));

    [Fact]
    public async Task The_controllers_attribute_gates_its_actions_with_headers()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/mvc/images", subject);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit").Should().Be("\"images\";r=2;t=3600");
        (await host.UsedAsync(subject, "images")).Should().Be(1);
    }

    [Fact]
    public async Task The_controllers_and_the_actions_quotas_are_both_consumed_the_amount_from_the_route()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        (await host.PostAsync("/mvc/pages/6", subject)).EnsureSuccessStatusCode();

        (await host.UsedAsync(subject, "images")).Should().Be(1);
        (await host.UsedAsync(subject, "pages")).Should().Be(6);
    }

    [Fact]
    public async Task A_spent_quota_answers_the_same_429_problem_as_minimal_apis()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();
        await host.SpendAsync("/mvc/images", subject, 3);

        var response = await host.PostAsync("/mvc/images", subject);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromHours(1));
        (await response.ProblemAsync()).GetProperty("violated-policies")[0].GetString().Should().Be("images");
    }

    [Fact]
    public async Task A_5xx_result_refunds_a_charge_on_success_quota_but_not_the_others()
    {
        await using var host = await StartAsync();
        var subject = GateHost.NewSubject();

        var response = await host.PostAsync("/mvc/fails", subject);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await host.UsedAsync(subject, "pages")).Should().Be(0);
        (await host.UsedAsync(subject, "images")).Should().Be(1);
    }
}
