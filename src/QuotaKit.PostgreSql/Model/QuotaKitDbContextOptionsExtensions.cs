using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>Configures a <see cref="QuotaKitDbContext"/> for PostgreSQL with QuotaKit's migrations settings.</summary>
public static class QuotaKitDbContextOptionsExtensions
{
    /// <summary>Uses PostgreSQL through <paramref name="dataSource"/>, QuotaKit's migrations assembly and history table.</summary>
    public static DbContextOptionsBuilder UseQuotaKitPostgreSql(this DbContextOptionsBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UseNpgsql(dataSource, ConfigureNpgsql);
    }

    /// <summary>Uses PostgreSQL through <paramref name="connectionString"/>, QuotaKit's migrations assembly and history table.</summary>
    public static DbContextOptionsBuilder UseQuotaKitPostgreSql(this DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseNpgsql(connectionString, ConfigureNpgsql);
    }

    /// <summary>
    /// Adds the wide usage report to the context's model: <see cref="FeatureUsageRow"/> with a column per feature declared
    /// with <see cref="FeatureDefinition.Column"/> in <paramref name="options"/>. <c>UsePostgreSql</c> does this for the
    /// <see cref="QuotaKitDbContext"/> it registers; call it when you build that context yourself.
    /// </summary>
    /// <exception cref="FeatureColumnException">A column name is invalid.</exception>
    public static DbContextOptionsBuilder UseQuotaKitReports(this DbContextOptionsBuilder builder, QuotaKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(new QuotaKitReportOptionsExtension(ReportColumns.From(options)));
        return builder.ReplaceService<IModelCacheKeyFactory, QuotaKitModelCacheKeyFactory>();
    }

    private static void ConfigureNpgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(QuotaKitSchema.MigrationsHistoryTable, QuotaKitSchema.Name)
            .MigrationsAssembly(typeof(QuotaKitDbContext).Assembly.GetName().Name);
}
