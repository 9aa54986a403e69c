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
}
