using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace QuotaKit.PostgreSql;

/// <summary>Applies QuotaKit's migrations when the host starts, if <see cref="QuotaKitPostgreSqlOptions.ApplyMigrationsAtStartup"/> is on.</summary>
internal sealed class MigrateAtStartupService : IHostedService
{
    private readonly IQuotaKitMigrator _migrator;
    private readonly IOptions<QuotaKitPostgreSqlOptions> _options;

    public MigrateAtStartupService(IQuotaKitMigrator migrator, IOptions<QuotaKitPostgreSqlOptions> options)
    {
        _migrator = migrator;
        _options = options;
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        _options.Value.ApplyMigrationsAtStartup ? _migrator.ApplyMigrationsAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
