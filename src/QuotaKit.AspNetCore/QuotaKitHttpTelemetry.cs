using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QuotaKit.AspNetCore;

/// <summary>
/// The gate's telemetry: the "QuotaKit" <see cref="System.Diagnostics.ActivitySource"/> (one span per gated request) and
/// instruments on the "QuotaKit" meter. Export both with OpenTelemetry: <c>.AddSource("QuotaKit")</c> and
/// <c>.AddMeter("QuotaKit")</c>.
/// </summary>
public static class QuotaKitHttpTelemetry
{
    /// <summary>The name of QuotaKit's activity source and meter.</summary>
    public const string Name = "QuotaKit";

    // One source for the process, as ActivitySource is meant to be used. The core may take it over later.
    internal static readonly ActivitySource ActivitySource = new(Name);

    // The meter is shared like the source: fail-open is rare and must be visible without extra registration.
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> FailOpen = Meter.CreateCounter<long>(
        "quotakit.http.fail_open", "{request}", "Requests let through uncounted because the usage store was unavailable.");

    internal static void RecordFailOpen(string featureKey) =>
        FailOpen.Add(1, new KeyValuePair<string, object?>("feature", featureKey));
}
