using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// Add a store with <c>.UsePostgreSql(...)</c> (package QuotaKit.PostgreSql).
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

        var builder = new QuotaKitBuilder(services);
        configure?.Invoke(builder);
        return builder;
    }
}
