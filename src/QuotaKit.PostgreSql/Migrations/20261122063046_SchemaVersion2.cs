using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 2 (QuotaKit 0.2.0): see <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SchemaVersion2 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "call_id",
                schema: "quotakit",
                table: "usage_events",
                type: "uuid",
                nullable: true);

            migrationBuilder.UpgradeQuotaKitDatabaseObjects(2);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(2);

            migrationBuilder.DropColumn(
                name: "call_id",
                schema: "quotakit",
                table: "usage_events");
        }
    }
}
