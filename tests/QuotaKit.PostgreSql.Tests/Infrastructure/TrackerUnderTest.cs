using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A tracker built from a service provider, its admin API, and the alerts its handlers received.</summary>
public sealed class TrackerUnderTest : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly AlertRecorder _alerts;

    private TrackerUnderTest(ServiceProvider provider, AlertRecorder alerts)
    {
        _provider = provider;
        _alerts = alerts;
    }

    // Resolved on first use, so a test can see a configuration error where it asks for the tracker.
    public IUsageTracker Tracker => _provider.GetRequiredService<IUsageTracker>();

    public IQuotaAdministration Admin => _provider.GetRequiredService<IQuotaAdministration>();

    public IUsageReservations Reservations => _provider.GetRequiredService<IUsageReservations>();

    /// <summary>Alerts received so far, in delivery order.</summary>
    public IReadOnlyList<QuotaAlert> Alerts => _alerts.Received.ToList();

    public IServiceProvider Services => _provider;

    /// <summary>Builds the provider: <paramref name="configure"/> declares features and plans and picks the store.</summary>
    public static TrackerUnderTest Build(Action<QuotaKitBuilder> configure, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        var alerts = new AlertRecorder();
        collection.AddQuotaKit(configure);
        collection.AddSingleton<IQuotaAlertHandler>(alerts);
        services?.Invoke(collection);
        return new TrackerUnderTest(collection.BuildServiceProvider(validateScopes: true), alerts);
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private sealed class AlertRecorder : IQuotaAlertHandler
    {
        public ConcurrentQueue<QuotaAlert> Received { get; } = new();

        public Task HandleAsync(QuotaAlert alert, CancellationToken cancellationToken)
        {
            Received.Enqueue(alert);
            return Task.CompletedTask;
        }
    }
}
