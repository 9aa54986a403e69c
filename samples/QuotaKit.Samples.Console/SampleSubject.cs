using NodaTime;

namespace QuotaKit.Samples.Console;

/// <summary>A subject of the sample: its id in QuotaKit, a short name for the output, and the zone it lives in.</summary>
internal sealed record SampleSubject(string Id, string Name, string? TimeZoneId)
{
    /// <summary>The subject's zone; UTC when it has none (QuotaKit then uses the feature's zone, else UTC).</summary>
    public DateTimeZone Zone => TimeZoneId is null ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb[TimeZoneId];
}
