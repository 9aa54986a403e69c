using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using QuotaKit.AspNetCore;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.PostgreSql;
using QuotaKit.Testing;

namespace QuotaKit.Benchmarks.Http;

/// <summary>
/// One web app on real Kestrel (loopback, a free port) with the same endpoint twice: <c>/gated</c> uses
/// <c>RequireQuota</c>; <c>/manual</c> calls the tracker by hand, as the README's quickstart did before the package.
/// Both take the subject from the same header, consume one unit of the same feature and answer the same text.
/// </summary>
internal sealed class GateBenchmarkHost : IAsyncDisposable
{
    public const string SubjectHeader = "X-User-Id";

    private GateBenchmarkHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>Starts the app on PostgreSQL, or on the in-memory store when <paramref name="connectionString"/> is null.</summary>
    public static async Task<GateBenchmarkHost> StartAsync(Workload workload, string? connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var quotas = workload.Register(builder.Services).ConfigureHttpGate(o => o.SubjectResolver = QuotaSubjects.Header(SubjectHeader));
        if (connectionString is null)
        {
            quotas.UseInMemoryStore();
        }
        else
        {
            quotas.UsePostgreSql(connectionString);
        }

        var app = builder.Build();
        var feature = Workload.Unbounded.FeatureKey;

        app.MapPost("/gated", () => Results.Text("ok")).RequireQuota(feature);
        app.MapPost("/manual", async (HttpContext http, IUsageTracker quotas) =>
        {
            var subject = http.Request.Headers[SubjectHeader].ToString();
            var decision = await quotas.TryConsumeAsync(subject, feature, 1, null, http.RequestAborted);
            return decision.Allowed ? Results.Text("ok") : Results.Problem(statusCode: StatusCodes.Status429TooManyRequests);
        });

        await app.StartAsync();
        // Kestrel chose the port; the bound address is known once it has started.
        var address = app.Urls.Single();
        return new GateBenchmarkHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
