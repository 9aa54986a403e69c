using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 4 (QuotaKit 0.2.0): <c>quotakit.record_usage_batch</c>; see
    /// <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SchemaVersion4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.UpgradeQuotaKitDatabaseObjects(4);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(4);
        }
    }
}
