using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using QuotaKit.PostgreSql;

namespace QuotaKit.Samples.Console;

/// <summary>
/// Lets <c>dotnet ef</c> build <see cref="QuotaKitDbContext"/> with this sample as the startup project. Generating
/// migrations and scripts needs no server; commands that touch a database use QUOTAKIT_CONNECTION_STRING.
/// </summary>
public sealed class DesignTimeQuotaKitDbContextFactory : IDesignTimeDbContextFactory<QuotaKitDbContext>
{
    public QuotaKitDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("QUOTAKIT_CONNECTION_STRING")
            ?? "Host=localhost;Database=quotakit_design_time;Username=postgres";
        var options = new DbContextOptionsBuilder<QuotaKitDbContext>();
        options.UseQuotaKitPostgreSql(connectionString);
        return new QuotaKitDbContext(options.Options);
    }
}
