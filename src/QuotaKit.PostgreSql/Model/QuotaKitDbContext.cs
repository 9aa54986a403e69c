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
    }

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

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyQuotaKitModel();
}
