using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace QuotaKit.Samples.Console;

/// <summary>How the sample writes times, periods, limits and decisions.</summary>
internal static class Text
{
    private static readonly ZonedDateTimePattern Local =
        ZonedDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm o<+HH:mm>", null);

    /// <summary>E.g. <c>2025-04-06 02:30 +11:00</c>.</summary>
    public static string LocalTime(Instant instant, DateTimeZone zone) => Local.Format(instant.InZone(zone));

    /// <summary>E.g. <c>2025-04-06 00:00 +11:00 → 2025-04-07 00:00 +10:00 (25 h)</c>.</summary>
    public static string Period(UsagePeriod period, DateTimeZone zone)
    {
        var length = period.Duration.TotalHours < 48
            ? $"{period.Duration.TotalHours:0.##} h"
            : $"{period.Duration.TotalDays:0.##} days";
        return string.Create(CultureInfo.InvariantCulture, $"{LocalTime(period.Start, zone)} → {LocalTime(period.End, zone)} ({length})");
    }

    /// <summary><c>3 hard</c>, <c>36000 soft</c>, <c>unlimited</c> or <c>disabled</c>: readable back with <see cref="FeatureLimit.Parse"/>.</summary>
    public static string Limit(FeatureLimit limit) => limit.Kind switch
    {
        LimitKind.Limited => string.Create(CultureInfo.InvariantCulture, $"{limit.Value} {(limit.IsSoft ? "soft" : "hard")}"),
        _ => limit.ToString(),
    };

    /// <summary>E.g. <c>allowed  2 of 3 hard</c> or <c>DENIED   3 of 3 hard (LimitExceeded)</c>.</summary>
    public static string Decision(UsageDecision decision)
    {
        var verdict = decision.Allowed ? "allowed" : "DENIED ";
        var reason = decision.Allowed ? "" : $" ({decision.Outcome})";
        var replay = decision.IsReplay ? " [replay of the first answer]" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{verdict}  {decision.Used} of {Limit(decision.Limit)}{reason}{replay}");
    }
}
