using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Gating;

/// <summary>Who is charged. In-memory store: the subject's resolution and the error answers are under test.</summary>
public sealed class SubjectTests
{
    private static Task<GateHost> StartWithAuthenticationAsync(Action<QuotaHttpOptions> http) => GateHost.StartAsync(
        app =>
        {
            app.UseAuthentication();
            app.MapPost("/images", (HttpContext c) => c.GetQuotaFeature()!.SubjectId).RequireQuota("images");
        },
        http,
        configure: builder => builder.Services.AddAuthentication(TestAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null));

    private static async Task<HttpResponseMessage> PostWithClaimsAsync(GateHost host, string? claims)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/images");
        if (claims is not null)
        {
            request.Headers.Add("X-Claims", claims);
        }

        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task By_default_the_subject_is_the_users_name_identifier_claim()
    {
        await using var host = await StartWithAuthenticationAsync(o => o.SubjectResolver = QuotaSubjects.UserId);

        var response = await PostWithClaimsAsync(host, $"{ClaimTypes.NameIdentifier}=ada;sub=other");

        (await response.Content.ReadAsStringAsync()).Should().Be("ada");
        (await host.UsedAsync("ada", "images")).Should().Be(1);
    }

    [Fact]
    public async Task Without_a_name_identifier_the_sub_claim_is_the_subject()
    {
        await using var host = await StartWithAuthenticationAsync(o => o.SubjectResolver = QuotaSubjects.UserId);

        var response = await PostWithClaimsAsync(host, "sub=bob;name=Bob");

        (await response.Content.ReadAsStringAsync()).Should().Be("bob");
    }

    [Fact]
    public void The_default_resolver_is_the_user_id()
    {
        new QuotaHttpOptions().SubjectResolver.Should().Be((Func<HttpContext, string?>)QuotaSubjects.UserId);
    }

    [Fact]
    public async Task Another_claim_can_be_the_subject()
    {
        await using var host = await StartWithAuthenticationAsync(o => o.SubjectResolver = QuotaSubjects.Claim("org_id"));

        var response = await PostWithClaimsAsync(host, "sub=bob;org_id=acme");

        (await response.Content.ReadAsStringAsync()).Should().Be("acme");
    }

    [Fact]
    public async Task An_anonymous_request_gets_401_and_is_not_run()
    {
        await using var host = await StartWithAuthenticationAsync(o => o.SubjectResolver = QuotaSubjects.UserId);

        var response = await PostWithClaimsAsync(host, claims: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.ProblemAsync()).GetProperty("title").GetString().Should().Be("No quota subject");
    }

    [Fact]
    public async Task The_status_without_a_subject_is_configurable()
    {
        await using var host = await StartWithAuthenticationAsync(o =>
        {
            o.SubjectResolver = QuotaSubjects.UserId;
            o.MissingSubjectStatusCode = 403;
        });

        var response = await PostWithClaimsAsync(host, claims: null);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_route_value_can_be_the_subject()
    {
        await using var host = await GateHost.StartAsync(
            app => app.MapPost("/tenants/{tenant}/images", () => "ok").RequireQuota("images"),
            o => o.SubjectResolver = QuotaSubjects.RouteValue("tenant"));

        (await host.PostAsync("/tenants/acme/images", subject: null)).EnsureSuccessStatusCode();

        (await host.UsedAsync("acme", "images")).Should().Be(1);
    }

    [Fact]
    public async Task A_delegate_can_be_the_subject()
    {
        await using var host = await GateHost.StartAsync(
            app => app.MapPost("/images", () => "ok").RequireQuota("images"),
            o => o.SubjectResolver = c => "key-" + c.Request.Headers["X-Api-Key"]);
        var request = new HttpRequestMessage(HttpMethod.Post, "/images");
        request.Headers.Add("X-Api-Key", "k1");

        (await host.Client.SendAsync(request)).EnsureSuccessStatusCode();

        (await host.UsedAsync("key-k1", "images")).Should().Be(1);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(257)]
    public async Task A_subject_id_the_store_refuses_is_a_400_problem_not_a_500(int length)
    {
        await using var host = await GateHost.StartAsync(app => app.MapPost("/images", () => "ok").RequireQuota("images"));

        var response = await host.PostAsync("/images", new string('x', length));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("at most 256");
    }
}
