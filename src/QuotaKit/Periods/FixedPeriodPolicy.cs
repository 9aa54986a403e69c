using NodaTime;

namespace QuotaKit;

/// <summary>Back-to-back periods of one exact length from an epoch, in both directions; no time zone involved.</summary>
internal sealed class FixedPeriodPolicy : PeriodPolicy
{
    public FixedPeriodPolicy(Duration length, Instant epoch)
        : base(timeZone: null)
    {
        if (length <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A fixed period must be longer than zero.");
        }

        Length = length;
        Epoch = epoch;
    }

    public Duration Length { get; }

    public Instant Epoch { get; }

    internal override UsagePeriod GetPeriod(DateTimeZone zone, Instant? anchor, Instant instant)
    {
        Int128 elapsed = DurationNanoseconds.Of(instant - Epoch);
        Int128 length = DurationNanoseconds.Of(Length);
        Int128 index = elapsed / length;
        if (elapsed % length < 0)
        {
            index--;
        }

        Instant start = Epoch + (Length * checked((long)index));
        return new UsagePeriod(start, start + Length);
    }

    public override string ToConfigurationString()
    {
        string text = $"every:{DurationText.FormatCompact(Length)}";
        return Epoch == default ? text : $"{text}@{AnchorRequirement.Format(Epoch)}";
    }

    private protected override PeriodPolicy WithTimeZone(DateTimeZone timeZone) => this;

    private protected override string DescribeWithoutZone() =>
        Epoch == default
            ? $"Every {DurationText.FormatWords(Length)}"
            : $"Every {DurationText.FormatWords(Length)} from {AnchorRequirement.Format(Epoch)}";

    private protected override bool HasSameShape(PeriodPolicy other) =>
        other is FixedPeriodPolicy fixedPolicy && fixedPolicy.Length == Length && fixedPolicy.Epoch == Epoch;

    private protected override int ShapeHashCode() => HashCode.Combine(Length, Epoch);
}
