using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuotaKit.PostgreSql;
using QuotaKit.Testing;

namespace QuotaKit.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A web app on ASP.NET Core's TestServer with QuotaKit's gate and the test features. Without a connection string it
/// uses the in-memory store: for tests of the HTTP side (headers, problem bodies, subjects, amounts) the store does not
/// matter, and the store's own semantics are proven against PostgreSQL by the behaviour suite. Tests where the store's
/// answers are the point (refunds, idempotency, concurrency, failures) pass a PostgreSQL database.
/// </summary>
internal sealed class GateHost : IAsyncDisposable
{
    // Hosts of parallel test classes migrate one at a time: once, two hosts migrating at the same moment in one process
    // failed with EF Core's "The model must be finalized" (reported to the lead; not a gate behaviour).
    private static readonly SemaphoreSlim MigrationLock = new(1, 1);

    private GateHost(WebApplication app, FakeClock clock)
    {
        App = app;
        Clock = clock;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeClock Clock { get; }

    public HttpClient Client { get; }

    public IUsageTracker Tracker => App.Services.GetRequiredService<IUsageTracker>();

    public static async Task<GateHost> StartAsync(
        Action<WebApplication> map,
        Action<QuotaHttpOptions>? http = null,
        string? connectionString = null,
        Action<WebApplicationBuilder>? configure = null,
        bool applyMigrations = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var clock = new FakeClock(TestQuotas.Now);
        var quotas = builder.Services.AddQuotaKit(q => TestQuotas.Declare(q)
            .UseClock(clock)
            .ConfigureHttpGate(o =>
            {
                o.SubjectResolver = QuotaSubjects.Header("X-User");
                http?.Invoke(o);
            }));
        if (connectionString is null)
        {
            quotas.UseInMemoryStore();
        }
        else
        {
            quotas.UsePostgreSql(connectionString);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        if (connectionString is not null && applyMigrations)
        {
            await MigrationLock.WaitAsync();
            try
            {
                await app.Services.ApplyQuotaKitMigrationsAsync();
            }
            finally
            {
                MigrationLock.Release();
            }
        }

        await app.StartAsync();
        return new GateHost(app, clock);
    }

    public static string NewSubject() => "user-" + Guid.NewGuid().ToString("N")[..12];

    public Task<HttpResponseMessage> PostAsync(string path, string? subject, HttpContent? content = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (subject is not null)
        {
            request.Headers.Add("X-User", subject);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return Client.SendAsync(request);
    }

    /// <summary>Sends <paramref name="times"/> requests that must all be allowed, e.g. to spend a quota.</summary>
    public async Task SpendAsync(string path, string subject, int times)
    {
        for (var i = 0; i < times; i++)
        {
            (await PostAsync(path, subject)).EnsureSuccessStatusCode();
        }
    }

    public async Task<long> UsedAsync(string subject, string feature) =>
        (await Tracker.CheckAsync(subject, feature)).Used;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
