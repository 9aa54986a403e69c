using NodaTime;

namespace QuotaKit;

/// <summary>Exact nanosecond counts of durations; 128 bits because instants span more nanoseconds than a long holds.</summary>
internal static class DurationNanoseconds
{
    private const long NanosecondsPerDay = 86_400_000_000_000;

    public static Int128 Of(Duration duration) => ((Int128)duration.Days * NanosecondsPerDay) + duration.NanosecondOfDay;
}
