namespace QuotaKit.PostgreSql;

/// <summary>Applies QuotaKit's shipped migrations to its schema.</summary>
public interface IQuotaKitMigrator
{
    /// <summary>
    /// Applies pending migrations. Concurrent callers (several app instances starting at once) are serialised by a
    /// PostgreSQL advisory lock: one applies, the others find nothing left to do.
    /// </summary>
    Task ApplyMigrationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Names of shipped migrations not yet applied to the database.</summary>
    Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default);

    /// <summary>The version of QuotaKit's database objects in the database: 0 when there are none, 1 for QuotaKit 0.1.0's.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks that the database has the schema version this QuotaKit needs.</summary>
    /// <exception cref="QuotaKitSchemaVersionException">It has an older one, or none.</exception>
    Task VerifySchemaAsync(CancellationToken cancellationToken = default);
}
