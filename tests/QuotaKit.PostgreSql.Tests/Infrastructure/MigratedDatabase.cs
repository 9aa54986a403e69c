
namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A fresh database with QuotaKit's shipped migrations applied.</summary>
public class MigratedDatabase : FreshDatabase
{
    /// <summary>A copy of the migrated template (<see cref="MigratedTemplate"/>), instead of migrating each database.</summary>
    protected override Task<string> CreateDatabaseAsync() => MigratedTemplate.CreateDatabaseAsync(GetType().Name);

    public QuotaKitDbContext CreateContext(string? connectionString = null) => QuotaKitContexts.Create(connectionString ?? ConnectionString);

    /// <summary>Row counts of every QuotaKit table, to prove that a refused call wrote nothing.</summary>
    public async Task<long> CountAllRowsAsync()
    {
        await using var command = DataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM quotakit.usage_counters) + (SELECT count(*) FROM quotakit.usage_events)
                 + (SELECT count(*) FROM quotakit.subjects) + (SELECT count(*) FROM quotakit.subject_limit_overrides)
                 + (SELECT count(*) FROM quotakit.subject_grants)
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
