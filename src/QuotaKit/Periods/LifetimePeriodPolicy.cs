using NodaTime;

namespace QuotaKit;

/// <summary>A single period from the subject's anchor to <see cref="PeriodPolicy.LifetimeEnd"/>: it never resets.</summary>
internal sealed class LifetimePeriodPolicy : PeriodPolicy
{
    public LifetimePeriodPolicy()
        : base(timeZone: null)
    {
    }

    internal override bool RequiresAnchor => true;

    internal override UsagePeriod GetPeriod(DateTimeZone zone, Instant? anchor, Instant instant)
    {
        Instant start = AnchorRequirement.Require(this, anchor, instant);
        if (instant >= LifetimeEnd)
        {
            throw new PeriodOutOfRangeException(
                $"No period of '{this}' covers {AnchorRequirement.Format(instant)}: lifetime periods end at {AnchorRequirement.Format(LifetimeEnd)}.");
        }

        return new UsagePeriod(start, LifetimeEnd);
    }

    public override string ToConfigurationString() => "lifetime";

    private protected override PeriodPolicy WithTimeZone(DateTimeZone timeZone) => this;

    private protected override string DescribeWithoutZone() => "Lifetime";

    private protected override bool HasSameShape(PeriodPolicy other) => true;

    private protected override int ShapeHashCode() => 0;
}
