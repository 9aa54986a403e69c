using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace QuotaKit.AspNetCore;

/// <summary>Registers QuotaKit's health check.</summary>
public static class QuotaKitHealthChecksBuilderExtensions
{
    /// <summary>The subject id the health check reads (it writes nothing).</summary>
    public const string DefaultProbeSubject = "quotakit-health-probe";

    /// <summary>
    /// Adds a health check that is healthy when QuotaKit's usage store answers a read (a usage query of
    /// <paramref name="probeSubject"/>; nothing is written) and unhealthy (or <paramref name="failureStatus"/>) otherwise.
    /// </summary>
    public static IHealthChecksBuilder AddQuotaKit(
        this IHealthChecksBuilder builder,
        string name = "quotakit",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        string probeSubject = DefaultProbeSubject)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(probeSubject);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new QuotaKitHealthCheck(services.GetRequiredService<IUsageTracker>(), services.GetService<UsageStore>(), probeSubject),
            failureStatus,
            tags));
    }
}
