using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QuotaKit.AspNetCore;

/// <summary>
/// Healthy when the usage store answers a read (<see cref="IUsageTracker.GetUsageAsync"/> of a probe subject, which
/// writes nothing).
/// </summary>
internal sealed class QuotaKitHealthCheck(IUsageTracker tracker, string probeSubject) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await tracker.GetUsageAsync(probeSubject, cancellationToken: cancellationToken);
        }
        catch (QuotaStoreUnavailableException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The QuotaKit usage store is unreachable.", exception);
        }

        return await CheckSchemaVersionAsync(cancellationToken) ?? HealthCheckResult.Healthy("The QuotaKit usage store answers.");
    }

    /// <summary>
    /// The place for the schema-version check (issue 13): once the core exposes the store's schema version, return
    /// Unhealthy here when the database is behind the shipped migrations. Null means "no objection".
    /// </summary>
    private static Task<HealthCheckResult?> CheckSchemaVersionAsync(CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        return Task.FromResult<HealthCheckResult?>(null);
    }
}
