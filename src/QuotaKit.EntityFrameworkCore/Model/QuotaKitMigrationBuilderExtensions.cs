using Microsoft.EntityFrameworkCore.Migrations;

namespace QuotaKit.EntityFrameworkCore.Model;

/// <summary>Database objects EF Core's model cannot express, for QuotaKit's migrations and for hosts that own them.</summary>
public static class QuotaKitMigrationBuilderExtensions
{
    /// <summary>
    /// The database refuses two overlapping periods for one subject and feature: an exclusion constraint over
    /// <c>tstzrange(period_start, period_end, '[)')</c> (needs the <c>btree_gist</c> extension, which the model declares).
    /// </summary>
    public static MigrationBuilder AddQuotaKitPeriodOverlapConstraint(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(
            """
            ALTER TABLE quotakit.usage_counters
                ADD CONSTRAINT ex_usage_counters_no_overlap
                EXCLUDE USING gist (subject_id WITH =, feature_key WITH =, tstzrange(period_start, period_end, '[)') WITH &&);
            """);
        return migrationBuilder;
    }

    /// <summary>Removes the constraint added by <see cref="AddQuotaKitPeriodOverlapConstraint"/>.</summary>
    public static MigrationBuilder DropQuotaKitPeriodOverlapConstraint(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("ALTER TABLE quotakit.usage_counters DROP CONSTRAINT IF EXISTS ex_usage_counters_no_overlap;");
        return migrationBuilder;
    }
}
