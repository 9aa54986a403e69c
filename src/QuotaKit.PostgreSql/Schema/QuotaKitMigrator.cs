using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace QuotaKit.PostgreSql;

internal sealed partial class QuotaKitMigrator : IQuotaKitMigrator
{
    // Arbitrary constant shared by every QuotaKit instance: "QuotaKit" in ASCII.
    private const long MigrationLockKey = 0x51756F74614B6974;

    private readonly IDbContextFactory<QuotaKitDbContext> _contextFactory;
    private readonly QuotaKitDataSource _dataSource;
    private readonly ILogger<QuotaKitMigrator> _logger;

    public QuotaKitMigrator(
        IDbContextFactory<QuotaKitDbContext> contextFactory, QuotaKitDataSource dataSource, ILogger<QuotaKitMigrator>? logger = null)
    {
        _contextFactory = contextFactory;
        _dataSource = dataSource;
        _logger = logger ?? NullLogger<QuotaKitMigrator>.Instance;
    }

    public async Task ApplyMigrationsAsync(CancellationToken cancellationToken = default)
    {
        // The lock lives on its own connection for the whole migration; EF migrates on another connection.
        await using var lockConnection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(lockConnection, "SELECT pg_advisory_lock(@key)", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var pending = await PendingAsync(context, cancellationToken).ConfigureAwait(false);
            if (pending.Count == 0)
            {
                LogUpToDate();
                return;
            }

            LogApplying(pending.Count, string.Join(", ", pending));
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            LogApplied(pending.Count);
        }
        finally
        {
            await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await PendingAsync(context, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        SchemaVersionReader.ReadAsync(_dataSource.DataSource, cancellationToken);

    public async Task VerifySchemaAsync(CancellationToken cancellationToken = default)
    {
        var version = await GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
        if (version < FrozenObjects.CurrentVersion)
        {
            throw new QuotaKitSchemaVersionException(version, FrozenObjects.CurrentVersion);
        }

        LogSchemaVerified(version);
    }

    private static async Task<IReadOnlyList<string>> PendingAsync(QuotaKitDbContext context, CancellationToken cancellationToken)
    {
        // Asking EF for pending migrations on an empty database logs a failed query on the missing history table,
        // which reads like an error to people watching the logs; check that the table exists first.
        var history = context.GetService<IHistoryRepository>();
        if (!await history.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return context.Database.GetMigrations().ToList();
        }

        return (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "QuotaKit schema version {Version} found; this QuotaKit needs it or later")]
    private partial void LogSchemaVerified(int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "QuotaKit schema is up to date")]
    private partial void LogUpToDate();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} QuotaKit migration(s): {Migrations}")]
    private partial void LogApplying(int count, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} QuotaKit migration(s)")]
    private partial void LogApplied(int count);
}
