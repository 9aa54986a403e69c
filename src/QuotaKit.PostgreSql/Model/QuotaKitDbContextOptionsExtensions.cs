using Microsoft.EntityFrameworkCore;
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

    private static void ConfigureNpgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(QuotaKitSchema.MigrationsHistoryTable, QuotaKitSchema.Name)
            .MigrationsAssembly(typeof(QuotaKitDbContext).Assembly.GetName().Name);
}
