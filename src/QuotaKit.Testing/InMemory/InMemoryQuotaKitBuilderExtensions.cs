using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace QuotaKit.Testing;

/// <summary>Registers the in-memory store.</summary>
public static class InMemoryQuotaKitBuilderExtensions
{
    /// <summary>
    /// Stores usage and subjects in memory (<see cref="InMemoryUsageTracker"/>, one per service provider) instead of
    /// PostgreSQL, with the same semantics. A resolver set with <c>UseSubjectContextResolver</c>, before or after this
    /// call, still supplies subject contexts.
    /// </summary>
    public static QuotaKitBuilder UseInMemoryStore(this QuotaKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(provider => new InMemoryUsageTracker(
            provider.GetRequiredService<QuotaKitRuntime>(),
            provider.GetRequiredService<IClock>(),
            provider.GetRequiredService<AlertDispatcher>(),
            provider.GetRequiredService<QuotaKitMetrics>(),
            provider.GetRequiredService<ISubjectContextResolver>));
        services.TryAddSingleton<IUsageTracker>(provider => provider.GetRequiredService<InMemoryUsageTracker>());
        services.TryAddSingleton<IQuotaAdministration>(provider => provider.GetRequiredService<InMemoryUsageTracker>());
        services.TryAddSingleton<ISubjectContextResolver>(provider => provider.GetRequiredService<InMemoryUsageTracker>());
        return builder;
    }
}
