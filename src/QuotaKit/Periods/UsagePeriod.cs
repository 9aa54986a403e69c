using NodaTime;
using NodaTime.Text;

namespace QuotaKit;

/// <summary>
/// A half-open interval of time <c>[Start, End)</c> between two UTC instants: <see cref="Start"/> belongs to the
/// period, <see cref="End"/> does not, and the next period starts exactly at <see cref="End"/>.
/// </summary>
public readonly struct UsagePeriod : IEquatable<UsagePeriod>
{
    /// <summary>Creates the period <c>[start, end)</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="end"/> is not after <paramref name="start"/>.</exception>
    public UsagePeriod(Instant start, Instant end)
    {
        if (end <= start)
        {
            throw new ArgumentException(
                $"A usage period must end after it starts; got start {Format(start)} and end {Format(end)}.",
                nameof(end));
        }

        Start = start;
        End = end;
    }

    /// <summary>The first instant of the period (inclusive).</summary>
    public Instant Start { get; }

    /// <summary>The first instant after the period (exclusive); the next period starts here.</summary>
    public Instant End { get; }

    /// <summary>The elapsed time from <see cref="Start"/> to <see cref="End"/>.</summary>
    public Duration Duration => End - Start;

    /// <summary>Whether <paramref name="instant"/> is in <c>[Start, End)</c>.</summary>
    public bool Contains(Instant instant) => Start <= instant && instant < End;

    /// <inheritdoc />
    public bool Equals(UsagePeriod other) => Start == other.Start && End == other.End;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is UsagePeriod other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Start, End);

    /// <summary>Formats the period as <c>[2025-02-10T13:00:00Z, 2025-02-11T13:00:00Z)</c>.</summary>
    public override string ToString() => $"[{Format(Start)}, {Format(End)})";

    /// <summary>Whether two periods have the same start and end.</summary>
    public static bool operator ==(UsagePeriod left, UsagePeriod right) => left.Equals(right);

    /// <summary>Whether two periods differ in start or end.</summary>
    public static bool operator !=(UsagePeriod left, UsagePeriod right) => !left.Equals(right);

    private static string Format(Instant instant) => InstantPattern.ExtendedIso.Format(instant);
}
