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

    /// <summary>
    /// Checks that the database has the schema version this QuotaKit needs; a host does this at start-up by itself
    /// (<see cref="QuotaKitPostgreSqlOptions.VerifySchemaAtStartup"/>). Call it in apps without a generic host.
    /// </summary>
    /// <exception cref="QuotaKitSchemaVersionException">The database has an older schema version, or none.</exception>
    public static Task VerifyQuotaKitSchemaAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<IQuotaKitMigrator>().VerifySchemaAsync(cancellationToken);
    }
}
