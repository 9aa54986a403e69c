using NodaTime;

namespace QuotaKit.Samples.Console;

/// <summary>The simulated month, April 2025, and local times in it.</summary>
internal static class Month
{
    /// <summary>The fake clock starts here: 2025-04-01T00:00Z.</summary>
    public static Instant Start { get; } = Instant.FromUtc(2025, 4, 1, 0, 0);

    /// <summary>Days 1 to 30.</summary>
    public static IEnumerable<int> Days => Enumerable.Range(1, 30);

    /// <summary>A local time in April 2025 in <paramref name="zone"/> (an ambiguous time maps to its first occurrence).</summary>
    public static Instant At(DateTimeZone zone, int day, int hour, int minute = 0) =>
        zone.AtLeniently(new LocalDateTime(2025, 4, day, hour, minute)).ToInstant();

    /// <summary>2025-04-30 23:00 in <paramref name="zone"/>: when the end-of-month usage table is read.</summary>
    public static Instant EndIn(DateTimeZone zone) => At(zone, 30, 23);
}
