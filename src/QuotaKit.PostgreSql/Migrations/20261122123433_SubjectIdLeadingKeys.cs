using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <summary>Schema version 5 (QuotaKit 0.2.0): every key of a per-subject table leads with <c>subject_id</c>
    /// (<c>usage_events</c> and <c>subject_grants</c> were keyed by <c>id</c> alone), as Citus requires of tables
    /// distributed by it; see docs/scaling.md and <see cref="QuotaKitMigrationBuilderExtensions"/>.</summary>
    internal partial class SubjectIdLeadingKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_usage_events",
                schema: "quotakit",
                table: "usage_events");

            migrationBuilder.DropPrimaryKey(
                name: "pk_subject_grants",
                schema: "quotakit",
                table: "subject_grants");

            migrationBuilder.AddPrimaryKey(
                name: "pk_usage_events",
                schema: "quotakit",
                table: "usage_events",
                columns: new[] { "subject_id", "id" });

            migrationBuilder.AddPrimaryKey(
                name: "pk_subject_grants",
                schema: "quotakit",
                table: "subject_grants",
                columns: new[] { "subject_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_events_id",
                schema: "quotakit",
                table: "usage_events",
                column: "id");

            migrationBuilder.UpgradeQuotaKitDatabaseObjects(5);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DowngradeQuotaKitDatabaseObjects(5);

            migrationBuilder.DropPrimaryKey(
                name: "pk_usage_events",
                schema: "quotakit",
                table: "usage_events");

            migrationBuilder.DropIndex(
                name: "ix_usage_events_id",
                schema: "quotakit",
                table: "usage_events");

            migrationBuilder.DropPrimaryKey(
                name: "pk_subject_grants",
                schema: "quotakit",
                table: "subject_grants");

            migrationBuilder.AddPrimaryKey(
                name: "pk_usage_events",
                schema: "quotakit",
                table: "usage_events",
                column: "id");

            migrationBuilder.AddPrimaryKey(
                name: "pk_subject_grants",
                schema: "quotakit",
                table: "subject_grants",
                column: "id");
        }
    }
}
