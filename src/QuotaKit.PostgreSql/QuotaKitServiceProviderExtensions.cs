using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.PostgreSql;

/// <summary>Explicit migration entry point for apps that do not use a generic host or prefer a deployment step.</summary>
public static class QuotaKitServiceProviderExtensions
{
    /// <summary>Applies QuotaKit's shipped migrations (safe to call from several instances at once).</summary>
    public static Task ApplyQuotaKitMigrationsAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<IQuotaKitMigrator>().ApplyMigrationsAsync(cancellationToken);
    }
}
