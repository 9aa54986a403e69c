using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Installs <c>btree_gist</c> (the exclusion constraint against overlapping periods needs it) inside QuotaKit's schema.
/// Its objects (188 functions, 12 operators, 26 operator classes and families, 6 types) go where CREATE EXTENSION puts
/// them: the frozen first migration runs it without a SCHEMA clause, which picks the first existing schema on the
/// search path, usually the host's <c>public</c>. Installed here first, that statement finds the extension and does nothing.
/// </summary>
/// <remarks>
/// An extension exists once per database. Where the host already installed it (in <c>public</c> or elsewhere), it stays
/// there: moving it could break the host's own use of it, and QuotaKit's constraint finds its operator classes in any schema.
/// </remarks>
internal static class BtreeGistExtension
{
    public static async Task InstallInQuotaKitSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"CREATE SCHEMA IF NOT EXISTS {QuotaKitSchema.Name}; CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA {QuotaKitSchema.Name};",
            connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
