using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.EntityFrameworkCore;

namespace QuotaKit.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A service provider with QuotaKit on a test database: the tracker, the admin API and a controllable clock.</summary>
public sealed class TrackerHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TrackerHost(ServiceProvider provider)
    {
        _provider = provider;
    }

    public IUsageTracker Tracker => _provider.GetRequiredService<IUsageTracker>();

    public IQuotaAdministration Admin => _provider.GetRequiredService<IQuotaAdministration>();

    public IServiceProvider Services => _provider;

    public static TrackerHost Create(string connectionString, IClock clock, Action<QuotaKitBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQuotaKit(q =>
        {
            q.UseClock(clock);
            configure(q);
        }).UsePostgreSql(connectionString);
        return new TrackerHost(services.BuildServiceProvider(validateScopes: true));
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
