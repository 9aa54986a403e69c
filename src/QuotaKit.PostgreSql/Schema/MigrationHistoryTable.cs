using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// QuotaKit's migrations history table (<c>quotakit.__quotakit_migrations</c>), checked and created with QuotaKit's own
/// SQL. EF Core reads the table before it creates it and logs that failed read at Error level, although it then succeeds;
/// operators alert on errors, so QuotaKit never lets EF meet a missing table.
/// </summary>
internal static class MigrationHistoryTable
{
    private static readonly string QualifiedName = $"{QuotaKitSchema.Name}.{QuotaKitSchema.MigrationsHistoryTable}";

    /// <summary>Whether the history table exists (a query that cannot fail on a missing table).</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = QualifiedName });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Creates QuotaKit's schema and the history table as EF would (the provider's own script), when the table is missing:
    /// a first install, so <c>btree_gist</c> is installed in QuotaKit's schema too (<see cref="BtreeGistExtension"/>).
    /// The caller holds the migration lock.
    /// </summary>
    public static async Task CreateIfNotExistsAsync(QuotaKitDbContext context, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await BtreeGistExtension.InstallInQuotaKitSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        var script = context.GetService<IHistoryRepository>().GetCreateIfNotExistsScript();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {QuotaKitSchema.Name};\n{script}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
