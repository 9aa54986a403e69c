using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>Adds QuotaKit's PostgreSQL store to <see cref="QuotaKitBuilder"/>.</summary>
public static class QuotaKitPostgreSqlBuilderExtensions
{
    /// <summary>Stores usage in PostgreSQL at <paramref name="connectionString"/> (QuotaKit creates and owns the data source).</summary>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    public static QuotaKitBuilder UsePostgreSql(
        this QuotaKitBuilder builder, string connectionString, Action<QuotaKitPostgreSqlOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // fails now, with the parser's message, if malformed
        return builder.UsePostgreSql(_ => new QuotaKitDataSource(NpgsqlDataSource.Create(connectionString), owned: true), configure);
    }

    /// <summary>Stores usage in PostgreSQL through the host's <paramref name="dataSource"/> (the host disposes it).</summary>
    public static QuotaKitBuilder UsePostgreSql(
        this QuotaKitBuilder builder, NpgsqlDataSource dataSource, Action<QuotaKitPostgreSqlOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UsePostgreSql(_ => new QuotaKitDataSource(dataSource, owned: false), configure);
    }

    private static QuotaKitBuilder UsePostgreSql(
        this QuotaKitBuilder builder, Func<IServiceProvider, QuotaKitDataSource> dataSource, Action<QuotaKitPostgreSqlOptions>? configure)
    {
        var services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton(dataSource));
        services.AddOptions<QuotaKitPostgreSqlOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(IDbContextFactory<QuotaKitDbContext>)))
        {
            services.AddDbContextFactory<QuotaKitDbContext>((provider, options) =>
                options.UseQuotaKitPostgreSql(provider.GetRequiredService<QuotaKitDataSource>().DataSource));
        }

        services.TryAddSingleton<IQuotaKitMigrator, QuotaKitMigrator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QuotaKitStartupService>());
        return builder.UseStore<PostgreSqlUsageStore, PostgreSqlSubjectStore>();
    }
}
