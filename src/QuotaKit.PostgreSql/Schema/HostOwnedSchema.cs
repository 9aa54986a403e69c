using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Detects QuotaKit's tables created by a host's own DbContext (<c>ApplyQuotaKitModel</c>) before QuotaKit's migrations
/// would run on them: they exist, but QuotaKit's migrations history is missing or empty. Applying the shipped
/// migrations then would fail half-way (42P07) and leave an empty history table, so it is refused before anything is written.
/// </summary>
internal static class HostOwnedSchema
{
    private const string ProbeSql =
        "SELECT to_regclass('quotakit.usage_counters') IS NOT NULL, to_regclass('quotakit.__quotakit_migrations') IS NOT NULL";

    /// <exception cref="QuotaConfigurationException">The tables exist without QuotaKit's migrations history.</exception>
    public static async Task ThrowIfPresentAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        bool hasTables, hasHistory;
        await using (var probe = new NpgsqlCommand(ProbeSql, connection))
        await using (var reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (hasTables, hasHistory) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }

        if (!hasTables)
        {
            return;
        }

        if (hasHistory)
        {
            await using var count = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM quotakit.__quotakit_migrations)", connection);
            if ((bool)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
        }

        throw new QuotaConfigurationException(
            "QuotaKit's tables exist in this database but QuotaKit's migrations history (quotakit.__quotakit_migrations) is " +
            "empty: a DbContext of yours owns QuotaKit's model (ApplyQuotaKitModel). One database has one owner of QuotaKit's " +
            "schema. Either keep your own migrations and stop applying QuotaKit's (remove ApplyMigrationsAtStartup or the " +
            "ApplyQuotaKitMigrationsAsync call; install each schema version with migrationBuilder.UpgradeQuotaKitDatabaseObjects(n)), " +
            "or let QuotaKit migrate and remove ApplyQuotaKitModel from your DbContext. Nothing was changed.");
    }
}
