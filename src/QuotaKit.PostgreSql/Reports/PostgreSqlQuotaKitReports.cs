using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

internal sealed partial class PostgreSqlQuotaKitReports : IQuotaKitReports
{
    private readonly QuotaKitDataSource _dataSource;
    private readonly IOptions<QuotaKitOptions> _options;
    private readonly ILogger<PostgreSqlQuotaKitReports> _logger;

    public PostgreSqlQuotaKitReports(
        QuotaKitDataSource dataSource, IOptions<QuotaKitOptions> options, ILogger<PostgreSqlQuotaKitReports>? logger = null)
    {
        _dataSource = dataSource;
        _options = options;
        _logger = logger ?? NullLogger<PostgreSqlQuotaKitReports>.Instance;
    }

    public async Task<NearLimitPage> GetNearLimitAsync(
        string featureKey, decimal percent, int page = 1, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        if (featureKey is null || !_options.Value.Features.ContainsKey(featureKey))
        {
            throw new UnknownFeatureException(featureKey ?? "(null)");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100_000m);
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 10_000);
        var offset = (long)(page - 1) * pageSize;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, int.MaxValue, nameof(page));

        var entries = new List<NearLimitEntry>(pageSize);
        var hasMore = false;
        try
        {
            await using var command = _dataSource.DataSource.CreateCommand(
                "SELECT subject_id, feature_key, used, limit_value, percent, period_start, period_end FROM quotakit.near_limit($1, $2, $3, $4)");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = featureKey, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = percent, NpgsqlDbType = NpgsqlDbType.Numeric });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize + 1 }); // one more tells whether a next page exists
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)offset });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (entries.Count == pageSize)
                {
                    hasMore = true;
                    break;
                }

                entries.Add(new NearLimitEntry(
                    reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDecimal(4),
                    Instant.FromDateTimeUtc(reader.GetFieldValue<DateTime>(5)), Instant.FromDateTimeUtc(reader.GetFieldValue<DateTime>(6))));
            }
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedTable)
        {
            throw new QuotaConfigurationException(
                "the report function quotakit.near_limit does not exist. Apply QuotaKit's migrations (ApplyQuotaKitMigrationsAsync), " +
                "or, when your own DbContext owns QuotaKit's tables, call IQuotaKitReports.ApplyReportObjectsAsync after your migrations.");
        }
        catch (NpgsqlException exception) when (exception is not PostgresException)
        {
            throw new QuotaStoreUnavailableException("near-limit report", outcomeUnknown: false, isTransient: true, exception);
        }

        return new NearLimitPage(entries, page, pageSize, hasMore);
    }

    public async Task ApplyReportObjectsAsync(CancellationToken cancellationToken = default)
    {
        var columns = ReportColumns.From(_options.Value);
        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ApplyAsync(connection, columns, cancellationToken).ConfigureAwait(false);
        LogApplied(columns.Columns.Count);
    }

    public async Task DropReportObjectsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReportObjectsSql.Drop, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops and creates the report objects on <paramref name="connection"/> in one transaction.</summary>
    internal static async Task ApplyAsync(NpgsqlConnection connection, ReportColumns columns, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(ReportObjectsSql.Create(columns), connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "QuotaKit report objects created with {Columns} feature column(s)")]
    private partial void LogApplied(int columns);
}
