using Microsoft.EntityFrameworkCore;

namespace QuotaKit.PostgreSql;

/// <summary>Puts QuotaKit's tables into a <see cref="ModelBuilder"/>: QuotaKit's own context or a host's.</summary>
public static class QuotaKitModelBuilderExtensions
{
    /// <summary>
    /// Adds QuotaKit's entities (schema <c>quotakit</c>, snake_case names fixed here, independent of the host's naming
    /// conventions). Call it from a host DbContext's <c>OnModelCreating</c> to keep QuotaKit's tables in the host's own
    /// migrations; the host then owns those migrations and must also add the database objects the model cannot express with
    /// <see cref="QuotaKitMigrationBuilderExtensions.AddQuotaKitDatabaseObjects"/>.
    /// </summary>
    public static ModelBuilder ApplyQuotaKitModel(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.HasPostgresExtension("btree_gist");
        modelBuilder.ApplyConfiguration(new UsageCounterConfiguration());
        modelBuilder.ApplyConfiguration(new UsageEventConfiguration());
        modelBuilder.ApplyConfiguration(new SubjectConfiguration());
        modelBuilder.ApplyConfiguration(new SubjectLimitOverrideConfiguration());
        modelBuilder.ApplyConfiguration(new SubjectGrantConfiguration());
        return modelBuilder;
    }
}
