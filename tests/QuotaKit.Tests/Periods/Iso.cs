using NodaTime;
using NodaTime.Text;


namespace QuotaKit.Tests.Periods;

/// <summary>Writes expected instants and periods as readable literals: <c>Iso.At("2025-04-05T13:00:00Z")</c>.</summary>
internal static class Iso
{
    public static Instant At(string text) => InstantPattern.ExtendedIso.Parse(text).GetValueOrThrow();

    public static UsagePeriod Period(string start, string end) => new(At(start), At(end));
}
