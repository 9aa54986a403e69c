using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace QuotaKit.PostgreSql;

/// <summary>
/// When the host starts: applies QuotaKit's migrations if <see cref="QuotaKitPostgreSqlOptions.ApplyMigrationsAtStartup"/>
/// is on, then checks that the database has the schema version this QuotaKit needs
/// (<see cref="QuotaKitPostgreSqlOptions.VerifySchemaAtStartup"/>), so a missing migration fails the start with one clear
/// exception instead of the first usage call.
/// </summary>
internal sealed class QuotaKitStartupService : IHostedService
{
    private readonly IQuotaKitMigrator _migrator;
    private readonly IOptions<QuotaKitPostgreSqlOptions> _options;

    public QuotaKitStartupService(IQuotaKitMigrator migrator, IOptions<QuotaKitPostgreSqlOptions> options)
    {
        _migrator = migrator;
        _options = options;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.ApplyMigrationsAtStartup)
        {
            await _migrator.ApplyMigrationsAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Value.VerifySchemaAtStartup)
        {
            await _migrator.VerifySchemaAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
