using System.Globalization;

using NodaTime;

namespace QuotaKit;

/// <summary>
/// Fixed-period lengths as text: compact for configuration (<c>6h</c>, <c>7d</c>, <c>30m</c>) and in words for
/// descriptions (<c>6 hours</c>). Each length is written in the largest unit that divides it exactly.
/// </summary>
internal static class DurationText
{
    private static readonly (string Suffix, string Word, Duration Size)[] Units =
    [
        ("d", "day", Duration.FromDays(1)),
        ("h", "hour", Duration.FromHours(1)),
        ("m", "minute", Duration.FromMinutes(1)),
        ("s", "second", Duration.FromSeconds(1)),
        ("ms", "millisecond", Duration.FromMilliseconds(1)),
        ("ns", "nanosecond", Duration.FromNanoseconds(1)),
    ];

    public static string FormatCompact(Duration length)
    {
        (long count, int unit) = InLargestUnit(length);
        return count.ToString(CultureInfo.InvariantCulture) + Units[unit].Suffix;
    }

    public static string FormatWords(Duration length)
    {
        (long count, int unit) = InLargestUnit(length);
        string word = Units[unit].Word;
        return count == 1 ? $"1 {word}" : $"{count.ToString(CultureInfo.InvariantCulture)} {word}s";
    }

    /// <summary>Parses <c>&lt;positive integer&gt;&lt;unit&gt;</c> with unit d, h, m, s, ms or ns; null if malformed.</summary>
    public static Duration? ParseCompact(ReadOnlySpan<char> text)
    {
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (!long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count <= 0)
        {
            return null;
        }

        ReadOnlySpan<char> suffix = text[digits..];
        foreach ((string unitSuffix, _, Duration size) in Units)
        {
            if (suffix.Equals(unitSuffix, StringComparison.OrdinalIgnoreCase))
            {
                return DurationNanoseconds.Of(size) * count <= DurationNanoseconds.Of(Duration.MaxValue) ? size * count : null;
            }
        }

        return null;
    }

    private static (long Count, int Unit) InLargestUnit(Duration length)
    {
        Int128 nanoseconds = DurationNanoseconds.Of(length);
        int unit = 0;
        while (nanoseconds % DurationNanoseconds.Of(Units[unit].Size) != 0)
        {
            unit++;
        }

        return (checked((long)(nanoseconds / DurationNanoseconds.Of(Units[unit].Size))), unit);
    }
}
