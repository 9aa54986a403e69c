using Microsoft.EntityFrameworkCore;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>QuotaKit's own DbContext on a test database, configured as the library configures it.</summary>
public static class QuotaKitContexts
{
    public static QuotaKitDbContext Create(string connectionString)
    {
        var options = new DbContextOptionsBuilder<QuotaKitDbContext>();
        options.UseQuotaKitPostgreSql(connectionString);
        return new QuotaKitDbContext(options.Options);
    }

    /// <summary>Applies the shipped migrations to the database at <paramref name="connectionString"/>.</summary>
    public static async Task MigrateAsync(string connectionString)
    {
        await using var context = Create(connectionString);
        await context.Database.MigrateAsync();
    }
}
