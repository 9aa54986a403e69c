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

    /// <summary>
    /// Adds the wide usage report (<see cref="FeatureUsageRow"/>, the view <c>quotakit.feature_usage</c>) with a column per
    /// feature declared with <see cref="FeatureDefinition.Column"/> in <paramref name="options"/> (usually
    /// <c>IOptions&lt;QuotaKitOptions&gt;.Value</c> injected into your context). Keyless and mapped to a view, it adds
    /// nothing to your migrations; the view is created by <see cref="IQuotaKitReports.ApplyReportObjectsAsync"/>. EF caches
    /// one model per context type, so one configuration per process.
    /// </summary>
    /// <exception cref="FeatureColumnException">A column name is invalid.</exception>
    public static ModelBuilder ApplyQuotaKitReportModel(this ModelBuilder modelBuilder, QuotaKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentNullException.ThrowIfNull(options);
        FeatureUsageRowConfiguration.Apply(modelBuilder, ReportColumns.From(options));
        return modelBuilder;
    }
}
