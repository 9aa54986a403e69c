using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace QuotaKit;

/// <summary>Registers QuotaKit in a service collection.</summary>
public static class QuotaKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds QuotaKit's core services and lets <paramref name="configure"/> declare features and plans. Safe to call more
    /// than once: services are registered once, declarations add up. The configuration is validated at start-up
    /// (<c>ValidateOnStart</c>) and again on first use; every problem is listed in one <see cref="QuotaConfigurationException"/>.
    /// Add a store with <c>.UsePostgreSql(...)</c> (package QuotaKit.PostgreSql), <c>.UseInMemoryStore()</c> (package
    /// QuotaKit.Testing) or your own with <see cref="QuotaKitBuilder.UseStore{TUsageStore, TSubjectStore}"/>.
    /// </summary>
    public static QuotaKitBuilder AddQuotaKit(this IServiceCollection services, Action<QuotaKitBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<QuotaKitOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaKitOptions>, QuotaKitOptionsValidator>());
        services.TryAddSingleton<IClock>(SystemClock.Instance);
        services.TryAddSingleton<QuotaKitRuntime>();
        services.TryAddSingleton<AlertDispatcher>();
        services.TryAddSingleton<QuotaKitMetrics>();

        // The pipeline over whichever store the builder registers (UseStore, UsePostgreSql, UseInMemoryStore).
        services.TryAddSingleton<SubjectChangeFeed>();
        services.TryAddSingleton(provider => new SubjectCache(
            () => RequireStore<SubjectStore>(provider),
            provider.GetRequiredService<QuotaKitRuntime>(),
            provider.GetRequiredService<SubjectChangeFeed>(),
            provider.GetRequiredService<QuotaKitMetrics>()));
        services.TryAddSingleton<ISubjectContextResolver>(provider => provider.GetRequiredService<SubjectCache>());
        services.TryAddSingleton<IUsageTracker>(provider => new UsageTracker(
            provider.GetRequiredService<QuotaKitRuntime>(),
            provider.GetRequiredService<ISubjectContextResolver>(),
            RequireStore<UsageStore>(provider),
            provider.GetRequiredService<IClock>(),
            provider.GetRequiredService<AlertDispatcher>(),
            provider.GetRequiredService<QuotaKitMetrics>(),
            provider.GetService<ILogger<UsageTracker>>()));
        services.TryAddSingleton<IUsageMeter>(provider => provider.GetRequiredService<IUsageTracker>() as IUsageMeter
            ?? throw new QuotaConfigurationException(
                "the registered IUsageTracker does not implement IUsageMeter, so batched metering is not available. Register " +
                "an IUsageMeter yourself, or keep QuotaKit's tracker."));
        services.TryAddSingleton<IUsageReservations>(provider => provider.GetRequiredService<IUsageTracker>() as IUsageReservations
            ?? throw new QuotaConfigurationException(
                "the registered IUsageTracker does not implement IUsageReservations, so reservations are not available. Register " +
                "an IUsageReservations yourself, or keep QuotaKit's tracker."));
        services.TryAddSingleton<IQuotaAdministration>(provider => new QuotaAdministration(
            provider.GetRequiredService<QuotaKitRuntime>(),
            RequireStore<SubjectStore>(provider),
            RequireStore<UsageStore>(provider),
            provider.GetRequiredService<SubjectCache>(),
            provider.GetRequiredService<IClock>()));

        var builder = new QuotaKitBuilder(services);
        configure?.Invoke(builder);
        return builder;
    }

    private static TStore RequireStore<TStore>(IServiceProvider provider)
        where TStore : class =>
        provider.GetService<TStore>() ?? throw new QuotaConfigurationException(
            $"No QuotaKit store is registered (no {typeof(TStore).Name}). Call UsePostgreSql(...) (package QuotaKit.PostgreSql), " +
            "UseInMemoryStore() (package QuotaKit.Testing) or UseStore<TUsageStore, TSubjectStore>() on the builder of AddQuotaKit.");
}
