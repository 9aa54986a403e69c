using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 6 (QuotaKit 0.2.0): reservations, <c>quotakit.usage_holds</c> and the functions that hold,
    /// settle and release; see <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SchemaVersion6 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.UpgradeQuotaKitDatabaseObjects(6);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(6);
        }
    }
}
