using System.Net;
using Microsoft.AspNetCore.Builder;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>Denials: RFC 9457 problems with the draft's quota-exceeded type. In-memory store: the HTTP answer is under test.</summary>
public sealed class DenialTests
{
    private static Task<GateHost> StartAsync(Action<QuotaHttpOptions>? http = null) => GateHost.StartAsync(app =>
    {
        app.MapPost("/images", () => "ok").RequireQuota("images");
        app.MapPost("/credits", () => "ok").RequireQuota("credits");
        app.MapPost("/beta", () => "ok").RequireQuota("beta");
    }, http);

    private static async Task<HttpResponseMessage> SpendAndAskAgainAsync(GateHost host, string path, int allowed)
    {
        var subject = GateHost.NewSubject();
        await host.SpendAsync(path, subject, allowed);
        return await host.PostAsync(path, subject);
    }

    [Fact]
    public async Task A_spent_quota_answers_429_with_a_quota_exceeded_problem_naming_feature_used_limit_and_reset()
    {
        await using var host = await StartAsync();

        var response = await SpendAndAskAgainAsync(host, "/images", 3);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var problem = await response.ProblemAsync();
        problem.GetProperty("type").GetString().Should().Be("https://iana.org/assignments/http-problem-types#quota-exceeded");
        problem.GetProperty("title").GetString().Should().Be("Request cannot be satisfied as assigned quota has been exceeded");
        problem.GetProperty("status").GetInt32().Should().Be(429);
        problem.GetProperty("violated-policies").EnumerateArray().Select(e => e.GetString()).Should().Equal("images");
        problem.GetProperty("detail").GetString().Should()
            .Contain("'images'").And.Contain("3 of 3 image").And.Contain("2025-04-11T00:00:00Z");
        problem.GetProperty("used").GetInt64().Should().Be(3);
        problem.GetProperty("limit").GetInt64().Should().Be(3);
        problem.GetProperty("resetsAt").GetString().Should().Be("2025-04-11T00:00:00Z");
    }

    [Fact]
    public async Task A_denial_says_when_to_retry_in_seconds_until_the_period_resets()
    {
        await using var host = await StartAsync();

        var response = await SpendAndAskAgainAsync(host, "/images", 3);

        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(3600));
    }

    [Fact]
    public async Task The_status_of_a_spent_quota_is_configurable()
    {
        await using var host = await StartAsync(o => o.LimitExceededStatusCode = 403);

        var response = await SpendAndAskAgainAsync(host, "/images", 3);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.ProblemAsync()).GetProperty("status").GetInt32().Should().Be(403);
    }

    [Fact]
    public async Task A_spent_lifetime_allowance_has_no_retry_after()
    {
        await using var host = await StartAsync();

        var response = await SpendAndAskAgainAsync(host, "/credits", 2);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter.Should().BeNull();
        (await response.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("does not reset");
    }

    [Fact]
    public async Task A_feature_the_plan_disables_answers_403_with_a_zero_quota()
    {
        await using var host = await StartAsync();

        var response = await host.PostAsync("/beta", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.RetryAfter.Should().BeNull();
        response.Header("RateLimit-Policy").Should().Be("\"beta\";q=0;w=86400");
        response.Header("RateLimit").Should().Be("\"beta\";r=0");
        (await response.ProblemAsync()).GetProperty("violated-policies")[0].GetString().Should().Be("beta");
    }

    [Fact]
    public async Task A_denied_request_does_not_run_the_handler()
    {
        var runs = 0;
        await using var host = await GateHost.StartAsync(app => app.MapPost("/images", () => ++runs).RequireQuota("images"));

        await SpendAndAskAgainAsync(host, "/images", 3);

        runs.Should().Be(3);
    }

    [Fact]
    public async Task An_undeclared_feature_is_a_503_problem_not_a_500()
    {
        await using var host = await GateHost.StartAsync(app => app.MapPost("/typo", () => "ok").RequireQuota("imagse"));

        var response = await host.PostAsync("/typo", GateHost.NewSubject());

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.ProblemAsync()).GetProperty("title").GetString().Should().Be("Quota configuration error");
    }

    [Fact]
    public async Task Two_idempotency_keys_on_one_request_are_a_400_problem()
    {
        await using var host = await StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/images");
        request.Headers.Add("X-User", GateHost.NewSubject());
        request.Headers.Add("Idempotency-Key", ["a", "b"]);

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
