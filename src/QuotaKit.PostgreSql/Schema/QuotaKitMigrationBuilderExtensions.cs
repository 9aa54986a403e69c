using Microsoft.EntityFrameworkCore.Migrations;

namespace QuotaKit.PostgreSql;

/// <summary>Database objects EF Core's model cannot express, for QuotaKit's migrations and for hosts that own them.</summary>
public static class QuotaKitMigrationBuilderExtensions
{
    /// <summary>
    /// Adds what the EF model cannot declare: the exclusion constraint that refuses two overlapping periods for one
    /// subject and feature (over <c>tstzrange(period_start, period_end, '[)')</c>, needs <c>btree_gist</c>, which the
    /// model declares), and the <c>quotakit.record_usage</c> function the tracker calls. A host that keeps QuotaKit's
    /// model in its own DbContext calls this in the migration that creates QuotaKit's tables.
    /// </summary>
    public static MigrationBuilder AddQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(
            """
            ALTER TABLE quotakit.usage_counters
                ADD CONSTRAINT ex_usage_counters_no_overlap
                EXCLUDE USING gist (subject_id WITH =, feature_key WITH =, tstzrange(period_start, period_end, '[)') WITH &&);
            """);
        migrationBuilder.Sql(RecordUsageFunction.Create);
        return migrationBuilder;
    }

    /// <summary>Removes what <see cref="AddQuotaKitDatabaseObjects"/> added.</summary>
    public static MigrationBuilder DropQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql(RecordUsageFunction.Drop);
        migrationBuilder.Sql("ALTER TABLE quotakit.usage_counters DROP CONSTRAINT IF EXISTS ex_usage_counters_no_overlap;");
        return migrationBuilder;
    }
}
