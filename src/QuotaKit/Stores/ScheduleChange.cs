using NodaTime;

namespace QuotaKit;

/// <summary>
/// The one rule for a subject's schedule changing while a period is open (docs/concepts.md), for writes
/// (<see cref="UsageWrite.StartsAfresh"/>, which stores apply) and for the reads that show what the next write would find.
/// </summary>
internal static class ScheduleChange
{
    /// <summary>
    /// Whether <paramref name="stored"/>, which holds the instant, gives way to <paramref name="computed"/> (the period of
    /// the subject's current schedule): it started earlier, and its last write came before <paramref name="computed"/> began.
    /// </summary>
    public static bool StartsAfresh(UsagePeriod stored, Instant lastWriteAt, UsagePeriod computed) =>
        stored.Start < computed.Start && lastWriteAt < computed.Start;
}
