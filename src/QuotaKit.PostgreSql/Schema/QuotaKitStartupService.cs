using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace QuotaKit.PostgreSql;

/// <summary>
/// When the host starts: applies QuotaKit's migrations if <see cref="QuotaKitPostgreSqlOptions.ApplyMigrationsAtStartup"/>
/// is on, then checks that the database has the schema version this QuotaKit needs
/// (<see cref="QuotaKitPostgreSqlOptions.VerifySchemaAtStartup"/>), so a missing migration fails the start with one clear
/// exception instead of the first usage call. A database that cannot be reached does not stop the start (the app can
/// answer 503s and its health check reports it); it is logged as a warning.
/// </summary>
internal sealed partial class QuotaKitStartupService : IHostedService
{
    private readonly IQuotaKitMigrator _migrator;
    private readonly IOptions<QuotaKitPostgreSqlOptions> _options;
    private readonly ILogger<QuotaKitStartupService> _logger;

    public QuotaKitStartupService(
        IQuotaKitMigrator migrator, IOptions<QuotaKitPostgreSqlOptions> options, ILogger<QuotaKitStartupService>? logger = null)
    {
        _migrator = migrator;
        _options = options;
        _logger = logger ?? NullLogger<QuotaKitStartupService>.Instance;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.ApplyMigrationsAtStartup)
        {
            await _migrator.ApplyMigrationsAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.Value.VerifySchemaAtStartup)
        {
            try
            {
                await _migrator.VerifySchemaAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (QuotaStoreUnavailableException exception) when (exception.IsTransient)
            {
                LogUnreachable(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "QuotaKit could not check its schema version at start-up because the database is unreachable; usage calls fail until it is back")]
    private partial void LogUnreachable(Exception exception);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
