using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 8: credit blocks (<c>quotakit.credit_blocks</c>, <c>credit_burns</c>,
    /// <c>usage_counters.blocks_burned</c>) and the functions that burn and give them back, <c>quotakit.record_usage_v8</c>
    /// and the rest; see <see cref="QuotaKitMigrationBuilderExtensions"/>. No change to the EF model: the new tables are
    /// QuotaKit's raw-SQL objects, as <c>usage_holds</c> is.</summary>
    internal partial class SchemaVersion8 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.UpgradeQuotaKitDatabaseObjects(8);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(8);
        }
    }
}
