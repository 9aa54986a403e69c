using Microsoft.EntityFrameworkCore;

namespace QuotaKit.PostgreSql;

/// <summary>
/// QuotaKit's own EF Core context: schema <c>quotakit</c>, its own migrations-history table, and the migrations shipped
/// in this package. Configure it with <see cref="QuotaKitDbContextOptionsExtensions.UseQuotaKitPostgreSql(DbContextOptionsBuilder, Npgsql.NpgsqlDataSource)"/>.
/// </summary>
public class QuotaKitDbContext : DbContext
{
    /// <summary>Creates the context with options built by <c>UseQuotaKitPostgreSql</c>.</summary>
    public QuotaKitDbContext(DbContextOptions<QuotaKitDbContext> options)
        : base(options)
    {
        _reportColumns = options?.FindExtension<QuotaKitReportOptionsExtension>()?.Columns;
    }

    private readonly ReportColumns? _reportColumns;

    /// <summary>Usage counters, one row per subject, feature and period.</summary>
    public DbSet<UsageCounter> UsageCounters => Set<UsageCounter>();

    /// <summary>The usage-event ledger.</summary>
    public DbSet<UsageEvent> UsageEvents => Set<UsageEvent>();

    /// <summary>Subjects' plans, anchors and time zones.</summary>
    public DbSet<Subject> Subjects => Set<Subject>();

    /// <summary>Per-subject limit overrides.</summary>
    public DbSet<SubjectLimitOverride> SubjectLimitOverrides => Set<SubjectLimitOverride>();

    /// <summary>Per-subject grants.</summary>
    public DbSet<SubjectGrant> SubjectGrants => Set<SubjectGrant>();

    /// <summary>
    /// The wide usage report (view <c>quotakit.feature_usage</c>): one row per subject with used, limit and remaining for
    /// each feature declared with <see cref="FeatureDefinition.Column"/>, in its current period. Only
    /// <c>subject_id</c> and <c>plan_key</c> when the context was built without <c>UseQuotaKitReports</c>.
    /// </summary>
    public DbSet<FeatureUsageRow> FeatureUsage => Set<FeatureUsageRow>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyQuotaKitModel();
        FeatureUsageRowConfiguration.Apply(modelBuilder, _reportColumns);
    }
}
