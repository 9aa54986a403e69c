using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 3 (QuotaKit 0.2.0): subject context versions and change notifications; see
    /// <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SchemaVersion3 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "context_version",
                schema: "quotakit",
                table: "subjects",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.UpgradeQuotaKitDatabaseObjects(3);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(3);

            migrationBuilder.DropColumn(
                name: "context_version",
                schema: "quotakit",
                table: "subjects");
        }
    }
}
