namespace QuotaKit.PostgreSql;

/// <summary>
/// Reports over QuotaKit's tables for dashboards and support: the near-limit report, and the generated report objects
/// (<c>quotakit.feature_usage</c>, <c>quotakit.near_limit</c>) SQL users query. Registered by <c>UsePostgreSql</c>.
/// </summary>
public interface IQuotaKitReports
{
    /// <summary>
    /// Subjects at or above <paramref name="percent"/> of their limit for <paramref name="featureKey"/> in its current
    /// period, highest share first (then by subject id), one page at a time. The same rows as the SQL function
    /// <c>quotakit.near_limit</c>. Subjects whose limit is unlimited, disabled or 0 never appear.
    /// </summary>
    /// <param name="featureKey">A declared feature.</param>
    /// <param name="percent">The threshold in percent of the limit, 0 to 100000 (e.g. 80).</param>
    /// <param name="page">1-based page number.</param>
    /// <param name="pageSize">Rows per page, 1 to 10000.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="UnknownFeatureException">The feature is not declared.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Percent, page or page size out of range.</exception>
    /// <exception cref="QuotaConfigurationException">The report objects do not exist: apply QuotaKit's migrations or call
    /// <see cref="ApplyReportObjectsAsync"/>.</exception>
    /// <exception cref="QuotaStoreUnavailableException">The database could not be reached.</exception>
    Task<NearLimitPage> GetNearLimitAsync(
        string featureKey, decimal percent, int page = 1, int pageSize = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops and creates the report objects from the current configuration, in one transaction. QuotaKit's migrator does
    /// this on every <c>ApplyQuotaKitMigrationsAsync</c>; call it yourself when your own DbContext owns QuotaKit's tables
    /// (after your migrations), and before your migrations change or drop QuotaKit's tables call
    /// <see cref="DropReportObjectsAsync"/> (a view blocks them).
    /// </summary>
    /// <exception cref="FeatureColumnException">A column name is invalid; nothing was changed.</exception>
    Task ApplyReportObjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops the generated report objects, if any.</summary>
    Task DropReportObjectsAsync(CancellationToken cancellationToken = default);
}
