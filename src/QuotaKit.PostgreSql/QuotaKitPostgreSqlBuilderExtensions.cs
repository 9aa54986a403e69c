using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
        return builder.UsePostgreSql(_ => new QuotaKitDataSource(NpgsqlDataSource.Create(connectionString), owned: true, connectionString), configure);
    }

    /// <summary>
    /// Stores usage in PostgreSQL at the connection string named <paramref name="connectionStringName"/> in
    /// <paramref name="configuration"/>: <c>ConnectionStrings:Quotas</c> by default, i.e. the <c>"ConnectionStrings"</c>
    /// section of appsettings.json or the environment variable <c>ConnectionStrings__Quotas</c>. It is read when the store
    /// is first needed, so configuration added after this call (test hosts, secrets) counts.
    /// </summary>
    /// <exception cref="QuotaConfigurationException">When the store is first needed: the connection string is missing or empty.</exception>
    public static QuotaKitBuilder UsePostgreSql(
        this QuotaKitBuilder builder, IConfiguration configuration, string connectionStringName = "Quotas",
        Action<QuotaKitPostgreSqlOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringName);
        return builder.UsePostgreSql(provider =>
        {
            var connectionString = configuration.GetConnectionString(connectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new QuotaConfigurationException(
                    $"the connection string 'ConnectionStrings:{connectionStringName}' is missing. Add it to appsettings.json " +
                    $"(\"ConnectionStrings\": {{ \"{connectionStringName}\": \"Host=...;Database=...;Username=...;Password=...\" }}) " +
                    $"or set the environment variable ConnectionStrings__{connectionStringName}.");
            }

            _ = new NpgsqlConnectionStringBuilder(connectionString); // the parser's message if malformed
            return new QuotaKitDataSource(NpgsqlDataSource.Create(connectionString), owned: true, connectionString);
        }, configure);
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
                options.UseQuotaKitPostgreSql(provider.GetRequiredService<QuotaKitDataSource>().DataSource)
                    .UseQuotaKitReports(provider.GetRequiredService<IOptions<QuotaKitOptions>>().Value));
        }

        services.TryAddSingleton<IQuotaKitMigrator, QuotaKitMigrator>();
        services.TryAddSingleton<IQuotaKitReports, PostgreSqlQuotaKitReports>();
        services.TryAddSingleton<IUsageRecounter, PostgreSqlUsageRecounter>();
        services.TryAddSingleton<IQuotaKitImporter, PostgreSqlQuotaKitImporter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QuotaKitStartupService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SubjectChangeListener>());
        return builder.UseStore<PostgreSqlUsageStore, PostgreSqlSubjectStore>();
    }
}
