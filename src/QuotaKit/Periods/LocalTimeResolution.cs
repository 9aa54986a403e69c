using NodaTime;
using NodaTime.TimeZones;

namespace QuotaKit;

/// <summary>
/// Maps a local period boundary to an instant: a local time skipped by a forward transition (a DST gap) maps to the
/// first valid instant after the gap; a local time repeated by a backward transition maps to its earlier occurrence.
/// </summary>
internal static class LocalTimeResolution
{
    private static readonly ZoneLocalMappingResolver EarlierOrAfterGap =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    public static Instant ToInstant(DateTimeZone zone, LocalDateTime local) =>
        zone.MinOffset == zone.MaxOffset
            ? local.WithOffset(zone.MinOffset).ToInstant() // a fixed zone (UTC): one mapping, and no mapping object to allocate
            : zone.ResolveLocal(local, EarlierOrAfterGap).ToInstant();
}
