using NodaTime;

namespace QuotaKit;

/// <summary>
/// Cycles of a whole number of months from the subject's anchor. Cycle 0 starts exactly at the anchor; cycle k &gt; 0
/// starts at the anchor's local date plus <c>k * Months</c> months (clamped to the month's last day, always computed
/// from the anchor so it returns to the anchor day) at the anchor's local time of day.
/// </summary>
internal sealed class BillingCyclePeriodPolicy : PeriodPolicy
{
    public const int MaxMonths = 1200;

    public BillingCyclePeriodPolicy(int months, DateTimeZone? timeZone = null)
        : base(timeZone)
    {
        if (months is < 1 or > MaxMonths)
        {
            throw new ArgumentOutOfRangeException(nameof(months), months, $"A billing cycle must last 1 to {MaxMonths} months.");
        }

        Months = months;
    }

    public int Months { get; }

    internal override bool RequiresAnchor => true;

    internal override UsagePeriod GetPeriod(DateTimeZone zone, Instant? anchor, Instant instant)
    {
        Instant anchorInstant = AnchorRequirement.Require(this, anchor, instant);
        LocalDateTime anchorLocal = anchorInstant.InZone(zone).LocalDateTime;
        LocalDateTime local = instant.InZone(zone).LocalDateTime;

        int monthsSinceAnchor = ((local.Year - anchorLocal.Year) * 12) + (local.Month - anchorLocal.Month);
        int cycle = Math.Max(0, monthsSinceAnchor / Months);
        Instant start = CycleStart(zone, anchorInstant, anchorLocal, cycle);
        while (start > instant)
        {
            cycle--;
            start = CycleStart(zone, anchorInstant, anchorLocal, cycle);
        }

        Instant end = CycleStart(zone, anchorInstant, anchorLocal, cycle + 1);
        while (end <= instant)
        {
            cycle++;
            start = end;
            end = CycleStart(zone, anchorInstant, anchorLocal, cycle + 1);
        }

        return new UsagePeriod(start, end);
    }

    public override string ToConfigurationString() => Months switch
    {
        1 => "billing-month",
        12 => "billing-year",
        _ => $"billing:{Months}",
    };

    private protected override PeriodPolicy WithTimeZone(DateTimeZone timeZone) => new BillingCyclePeriodPolicy(Months, timeZone);

    private protected override string DescribeWithoutZone() => Months == 1 ? "BillingCycle(1 month)" : $"BillingCycle({Months} months)";

    private protected override bool HasSameShape(PeriodPolicy other) => other is BillingCyclePeriodPolicy billing && billing.Months == Months;

    private protected override int ShapeHashCode() => Months;

    private Instant CycleStart(DateTimeZone zone, Instant anchor, LocalDateTime anchorLocal, int cycle) =>
        cycle == 0 ? anchor : LocalTimeResolution.ToInstant(zone, anchorLocal.PlusMonths(cycle * Months));
}
