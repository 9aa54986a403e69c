using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuotaKit.AspNetCore.Tests.Infrastructure;

namespace QuotaKit.AspNetCore.Tests.Sample;

/// <summary>The web sample as users run it: its own process, real Kestrel and sockets, PostgreSQL.</summary>
public sealed class WebSampleOnKestrelTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const int FreePagesPerMonth = 20;
    private const int Requests = 60;

    [Fact]
    public async Task Concurrent_requests_against_a_limit_get_exactly_the_limit_and_every_other_one_a_429_with_both_headers()
    {
        await using var sample = await WebSampleProcess.StartAsync(database.ConnectionString, TimeSpan.FromSeconds(90));
        using var client = new HttpClient { BaseAddress = sample.BaseAddress };
        var subject = "kestrel-" + Guid.NewGuid().ToString("N")[..8];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, Requests).Select(async _ =>
        {
            await start.Task;
            var request = new HttpRequestMessage(HttpMethod.Post, "/exports") { Content = JsonContent.Create(new { pages = 1 }) };
            request.Headers.Add("X-User-Id", subject);
            return await client.SendAsync(request);
        }).ToList();

        start.SetResult();
        var responses = await Task.WhenAll(sends);

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(FreePagesPerMonth, sample.Output);
        responses.Where(r => r.StatusCode != HttpStatusCode.OK).Should().HaveCount(Requests - FreePagesPerMonth)
            .And.AllSatisfy(r =>
            {
                r.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
                r.Header("RateLimit-Policy").Should().StartWith("\"pages\";q=20;w=");
                r.Header("RateLimit").Should().StartWith("\"pages\";r=0;t=");
                r.Headers.RetryAfter!.Delta.Should().BePositive();
            });
        responses.Where(r => r.StatusCode == HttpStatusCode.OK).Should().AllSatisfy(r =>
        {
            r.Header("RateLimit-Policy").Should().StartWith("\"pages\";q=20;w=");
            r.Header("RateLimit").Should().MatchRegex("^\"pages\";r=[0-9]+;t=[0-9]+$");
        });
        (await UsedPagesAsync(client, subject)).Should().Be(FreePagesPerMonth);
    }

    private static async Task<long> UsedPagesAsync(HttpClient client, string subject)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/usage");
        request.Headers.Add("X-User-Id", subject);
        var items = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        return items.EnumerateArray().Single(i => i.GetProperty("feature").GetString() == "pages").GetProperty("used").GetInt64();
    }
}
