
namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A fresh database with QuotaKit's shipped migrations applied.</summary>
public class MigratedDatabase : FreshDatabase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await QuotaKitContexts.MigrateAsync(ConnectionString);
    }

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
