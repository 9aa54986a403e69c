using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 3 (the batched write, quotakit.record_usage_batch): see <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SchemaVersion3 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.UpgradeQuotaKitDatabaseObjects(3);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(3);
        }
    }
}
