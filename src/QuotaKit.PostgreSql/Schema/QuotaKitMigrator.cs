using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace QuotaKit.PostgreSql;

internal sealed partial class QuotaKitMigrator : IQuotaKitMigrator
{
    // Arbitrary constant shared by every QuotaKit instance: "QuotaKit" in ASCII.
    private const long MigrationLockKey = 0x51756F74614B6974;

    private readonly IDbContextFactory<QuotaKitDbContext> _contextFactory;
    private readonly QuotaKitDataSource _dataSource;
    private readonly IOptions<QuotaKitOptions> _options;
    private readonly ILogger<QuotaKitMigrator> _logger;

    public QuotaKitMigrator(
        IDbContextFactory<QuotaKitDbContext> contextFactory, QuotaKitDataSource dataSource, IOptions<QuotaKitOptions> options,
        ILogger<QuotaKitMigrator>? logger = null)
    {
        _contextFactory = contextFactory;
        _dataSource = dataSource;
        _options = options;
        _logger = logger ?? NullLogger<QuotaKitMigrator>.Instance;
    }

    public async Task ApplyMigrationsAsync(CancellationToken cancellationToken = default)
    {
        // Checked before anything is written: invalid report columns fail here, with nothing migrated.
        var reportColumns = ReportColumns.From(_options.Value);

        // One connection for everything: it holds the lock, and EF migrates on it, so a pool of one suffices.
        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = await CreateContextAsync(connection, cancellationToken).ConfigureAwait(false);
            await HostOwnedSchema.ThrowIfPresentAsync(connection, cancellationToken).ConfigureAwait(false);

            // EF reads the history table before it creates it and logs the failed read as an error; create it first.
            await MigrationHistoryTable.CreateIfNotExistsAsync(context, connection, cancellationToken).ConfigureAwait(false);
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            if (pending.Count == 0)
            {
                LogUpToDate();
            }
            else
            {
                // The generated report view depends on QuotaKit's tables and would block a migration that changes them.
                await using (var drop = new NpgsqlCommand(ReportObjectsSql.Drop, connection))
                {
                    await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                LogApplying(pending.Count, pending);
                await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                LogApplied(pending.Count);
            }

            // Generated from configuration, not frozen: created again on every call, so a new or renamed column needs
            // no migration of its own.
            await PostgreSqlQuotaKitReports.ApplyAsync(connection, reportColumns, cancellationToken).ConfigureAwait(false);
            LogReportObjects(reportColumns.Columns.Count);
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var context = await CreateContextAsync(connection, cancellationToken).ConfigureAwait(false);

        // Without a history table every migration is pending; asking EF then would log its failed read as an error.
        if (!await MigrationHistoryTable.ExistsAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            return context.Database.GetMigrations().ToList();
        }

        return (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        SchemaVersionReader.ReadAsync(_dataSource.DataSource, cancellationToken);

    public async Task VerifySchemaAsync(CancellationToken cancellationToken = default)
    {
        var version = await SchemaVersionReader.VerifyAsync(_dataSource.DataSource, cancellationToken).ConfigureAwait(false);
        LogSchemaVerified(version);
    }

    /// <summary>A context (the host's own factory's, if it registered one) that runs on <paramref name="connection"/>.</summary>
    private async Task<QuotaKitDbContext> CreateContextAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        context.Database.SetDbConnection(connection, contextOwnsConnection: false);
        return context;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "QuotaKit schema version {Version} found; this QuotaKit needs it or later")]
    private partial void LogSchemaVerified(int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "QuotaKit report objects created with {Columns} feature column(s)")]
    private partial void LogReportObjects(int columns);

    [LoggerMessage(Level = LogLevel.Information, Message = "QuotaKit schema is up to date")]
    private partial void LogUpToDate();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} QuotaKit migration(s): {Migrations}")]
    private partial void LogApplying(int count, IEnumerable<string> migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} QuotaKit migration(s)")]
    private partial void LogApplied(int count);
}
