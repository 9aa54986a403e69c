using Microsoft.EntityFrameworkCore.Migrations;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Database objects EF Core's model cannot express (an exclusion constraint, SQL functions), for QuotaKit's migrations
/// and for hosts that keep QuotaKit's model in their own DbContext. Each schema version is installed by a frozen call,
/// with a matching call for the migration's <c>Down</c>:
/// <list type="table">
/// <listheader><term>Version (shipped in)</term><description>Up / Down</description></listheader>
/// <item><term>1 (0.1.0)</term><description><see cref="AddQuotaKitDatabaseObjects(MigrationBuilder)"/> / <see cref="DropQuotaKitDatabaseObjects(MigrationBuilder)"/></description></item>
/// <item><term>2 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(2)</c> / <c>DowngradeQuotaKitDatabaseObjects(2)</c></description></item>
/// <item><term>3 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(3)</c> / <c>DowngradeQuotaKitDatabaseObjects(3)</c>, in the migration that adds <c>subjects.context_version</c></description></item>
/// <item><term>4 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(4)</c> / <c>DowngradeQuotaKitDatabaseObjects(4)</c></description></item>
/// <item><term>5 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(5)</c> / <c>DowngradeQuotaKitDatabaseObjects(5)</c>, in the migration whose keys lead with <c>subject_id</c></description></item>
/// <item><term>6 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(6)</c> / <c>DowngradeQuotaKitDatabaseObjects(6)</c>, in the migration that adds <c>usage_holds</c></description></item>
/// <item><term>7 (0.2.0)</term><description><c>UpgradeQuotaKitDatabaseObjects(7)</c> / <c>DowngradeQuotaKitDatabaseObjects(7)</c></description></item>
/// <item><term>8</term><description><c>UpgradeQuotaKitDatabaseObjects(8)</c> / <c>DowngradeQuotaKitDatabaseObjects(8)</c>: credit blocks (its tables and <c>usage_counters.blocks_burned</c> are raw SQL of the version, not EF model changes)</description></item>
/// </list>
/// A host calls version 1 in the migration that creates QuotaKit's tables, and each later version in a migration of
/// its own, in order. The SQL of a released version never changes.
/// </summary>
public static class QuotaKitMigrationBuilderExtensions
{
    /// <summary>
    /// Installs schema version 1, exactly as QuotaKit 0.1.0 did: the exclusion constraint that refuses two overlapping
    /// periods for one subject and feature (needs <c>btree_gist</c>, which the model declares) and
    /// <c>quotakit.record_usage</c> version 1. Call it in the migration that creates QuotaKit's tables.
    /// </summary>
    public static MigrationBuilder AddQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.UpgradeQuotaKitDatabaseObjects(1);

    /// <summary>Removes what <see cref="AddQuotaKitDatabaseObjects(MigrationBuilder)"/> added (the <c>Down</c> of version 1).</summary>
    public static MigrationBuilder DropQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.DowngradeQuotaKitDatabaseObjects(1);

    /// <summary>
    /// Installs schema version <paramref name="version"/> over version <paramref name="version"/> − 1, with the frozen SQL
    /// of that version. Version 1 is <see cref="AddQuotaKitDatabaseObjects(MigrationBuilder)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not a schema version of this QuotaKit.</exception>
    public static MigrationBuilder UpgradeQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder, int version)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var statement in FrozenObjects.Up(version))
        {
            migrationBuilder.Sql(statement);
        }

        return migrationBuilder;
    }

    /// <summary>Returns a database at schema version <paramref name="version"/> to version <paramref name="version"/> − 1
    /// (the <c>Down</c> of <see cref="UpgradeQuotaKitDatabaseObjects"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not a schema version of this QuotaKit.</exception>
    public static MigrationBuilder DowngradeQuotaKitDatabaseObjects(this MigrationBuilder migrationBuilder, int version)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var statement in FrozenObjects.Down(version))
        {
            migrationBuilder.Sql(statement);
        }

        return migrationBuilder;
    }
}
