using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QuotaKit.AspNetCore;

/// <summary>
/// Healthy when the usage store answers a read (<see cref="IUsageTracker.GetUsageAsync"/> of a probe subject, which
/// writes nothing) and is ready (<see cref="UsageStore.VerifyReadyAsync"/>: for PostgreSQL, the schema version is current).
/// </summary>
internal sealed class QuotaKitHealthCheck(IUsageTracker tracker, UsageStore? store, string probeSubject) : IHealthCheck
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

        return await CheckSchemaVersionAsync(context, cancellationToken) ?? HealthCheckResult.Healthy("The QuotaKit usage store answers.");
    }

    /// <summary>Unhealthy when the store is reachable but not ready (a missing migration); null means "no objection".</summary>
    private async Task<HealthCheckResult?> CheckSchemaVersionAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (store is not null)
            {
                await store.VerifyReadyAsync(cancellationToken);
            }

            return null;
        }
        catch (QuotaKitException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception.Message, exception);
        }
    }
}
