using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace QuotaKit.PostgreSql.Migrations
{
    /// <inheritdoc />
    internal partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "quotakit");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:btree_gist", ",,");

            migrationBuilder.CreateTable(
                name: "subject_grants",
                schema: "quotakit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    subject_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    feature_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false),
                    valid_from = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    valid_until = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamptz", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subject_grants", x => x.id);
                    table.CheckConstraint("ck_subject_grants_amount", "amount > 0");
                    table.CheckConstraint("ck_subject_grants_validity", "valid_until > valid_from");
                });

            migrationBuilder.CreateTable(
                name: "subject_limit_overrides",
                schema: "quotakit",
                columns: table => new
                {
                    subject_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    feature_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    limit_value = table.Column<long>(type: "bigint", nullable: true),
                    is_disabled = table.Column<bool>(type: "boolean", nullable: false),
                    is_soft = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamptz", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subject_limit_overrides", x => new { x.subject_id, x.feature_key });
                    table.CheckConstraint("ck_subject_limit_overrides_limit", "limit_value IS NULL OR limit_value >= 0");
                });

            migrationBuilder.CreateTable(
                name: "subjects",
                schema: "quotakit",
                columns: table => new
                {
                    subject_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    plan_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    billing_anchor = table.Column<DateTime>(type: "timestamptz", nullable: true),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamptz", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subjects", x => x.subject_id);
                });

            migrationBuilder.CreateTable(
                name: "usage_counters",
                schema: "quotakit",
                columns: table => new
                {
                    subject_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    feature_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    period_start = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    period_end = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    used = table.Column<long>(type: "bigint", nullable: false),
                    limit_value = table.Column<long>(type: "bigint", nullable: true),
                    alerted_percent = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamptz", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_counters", x => new { x.subject_id, x.feature_key, x.period_start });
                    table.CheckConstraint("ck_usage_counters_period", "period_end > period_start");
                    table.CheckConstraint("ck_usage_counters_used", "used >= 0");
                });

            migrationBuilder.CreateTable(
                name: "usage_events",
                schema: "quotakit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    subject_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    feature_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    operation = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    period_start = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    period_end = table.Column<DateTime>(type: "timestamptz", nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    outcome = table.Column<short>(type: "smallint", nullable: false),
                    used_after = table.Column<long>(type: "bigint", nullable: false),
                    limit_kind = table.Column<short>(type: "smallint", nullable: false),
                    limit_value = table.Column<long>(type: "bigint", nullable: true),
                    limit_soft = table.Column<bool>(type: "boolean", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "timestamptz", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_events", x => x.id);
                    table.CheckConstraint("ck_usage_events_period", "period_end > period_start");
                });

            migrationBuilder.CreateIndex(
                name: "ix_subject_grants_subject_feature",
                schema: "quotakit",
                table: "subject_grants",
                columns: new[] { "subject_id", "feature_key" });

            migrationBuilder.CreateIndex(
                name: "ix_usage_events_recorded_at",
                schema: "quotakit",
                table: "usage_events",
                column: "recorded_at");

            migrationBuilder.CreateIndex(
                name: "ix_usage_events_subject_feature_time",
                schema: "quotakit",
                table: "usage_events",
                columns: new[] { "subject_id", "feature_key", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ux_usage_events_idempotency",
                schema: "quotakit",
                table: "usage_events",
                columns: new[] { "subject_id", "idempotency_key" },
                unique: true,
                filter: "idempotency_key IS NOT NULL");

            migrationBuilder.AddQuotaKitDatabaseObjects();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropQuotaKitDatabaseObjects();

            migrationBuilder.DropTable(
                name: "subject_grants",
                schema: "quotakit");

            migrationBuilder.DropTable(
                name: "subject_limit_overrides",
                schema: "quotakit");

            migrationBuilder.DropTable(
                name: "subjects",
                schema: "quotakit");

            migrationBuilder.DropTable(
                name: "usage_counters",
                schema: "quotakit");

            migrationBuilder.DropTable(
                name: "usage_events",
                schema: "quotakit");
        }
    }
}
