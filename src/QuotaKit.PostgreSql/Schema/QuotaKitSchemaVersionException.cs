namespace QuotaKit.PostgreSql;

/// <summary>
/// Thrown at start-up (or by <see cref="QuotaKitServiceProviderExtensions.VerifyQuotaKitSchemaAsync"/>) when the database
/// does not have the version of QuotaKit's schema this QuotaKit needs: its migrations were not applied, or a host that
/// owns QuotaKit's model has not added the migration that installs the newest version.
/// </summary>
public sealed class QuotaKitSchemaVersionException : QuotaKitException
{
    /// <summary>Creates the exception for the version found and the version needed.</summary>
    public QuotaKitSchemaVersionException(int databaseVersion, int requiredVersion)
        : base(Describe(databaseVersion, requiredVersion))
    {
        DatabaseVersion = databaseVersion;
        RequiredVersion = requiredVersion;
    }

    /// <summary>The schema version found in the database; 0 when QuotaKit's schema is missing.</summary>
    public int DatabaseVersion { get; }

    /// <summary>The schema version this QuotaKit needs.</summary>
    public int RequiredVersion { get; }

    private static string Describe(int found, int required) =>
        (found == 0
            ? $"The database has no QuotaKit schema; this QuotaKit needs schema version {required}. "
            : $"The database has QuotaKit schema version {found}; this QuotaKit needs version {required}. ") +
        "Apply QuotaKit's migrations (UsePostgreSql(..., o => o.ApplyMigrationsAtStartup = true), " +
        "serviceProvider.ApplyQuotaKitMigrationsAsync(), or the package's sql/quotakit.sql script). If your own DbContext " +
        $"owns QuotaKit's model, add a migration that calls migrationBuilder.UpgradeQuotaKitDatabaseObjects(n) for each version n from {found + 1} to {required}" +
        (found == 0 ? " (version 1 is AddQuotaKitDatabaseObjects())." : ".");
}
