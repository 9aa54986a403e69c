using NodaTime;


namespace QuotaKit.Tests.Periods;

/// <summary>
/// Billing cycles anchored on days 28-31, at local times that fall in DST gaps or repeated hours in some months,
/// followed for 12 years: contiguous, at most one start per calendar month, and back on the anchor day and local time
/// of day whenever the month has them.
/// </summary>
public class BillingCyclePropertyTests
{
    private const int Years = 12;

    public static TheoryData<string, int> ZonesAndCycleLengths()
    {
        var data = new TheoryData<string, int>();
        string[] zones =
        [
            "UTC", "Europe/London", "America/New_York", "Australia/Melbourne", "America/Sao_Paulo", "America/Havana",
            "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia",
        ];
        foreach (string zone in zones)
        {
            data.Add(zone, 1);
            data.Add(zone, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ZonesAndCycleLengths))]
    public void Cycles_are_contiguous_and_return_to_the_anchor_day(string zoneId, int months)
    {
        DateTimeZone zone = TimeZones.Get(zoneId);
        PeriodPolicy policy = PeriodPolicy.BillingCycle(months);
        var failures = new List<string>();
        foreach (Instant anchor in Anchors(zone))
        {
            string? failure = CheckCycles(policy, new PeriodContext(zone, anchor));
            if (failure is not null)
            {
                failures.Add($"anchor {anchor} ({anchor.InZone(zone).LocalDateTime}): {failure}");
            }
        }

        failures.Should().BeEmpty();
    }

    private static IEnumerable<Instant> Anchors(DateTimeZone zone)
    {
        LocalTime[] times = [new(0, 0), new(0, 30), new(1, 30), new(2, 30), new(23, 30)];
        foreach (int year in new[] { 2008, 2016 })
        {
            foreach (int month in new[] { 1, 3, 8, 10 })
            {
                for (int day = 28; day <= 31; day++)
                {
                    foreach (LocalTime time in times)
                    {
                        yield return new LocalDate(year, month, Math.Min(day, CalendarSystem.Iso.GetDaysInMonth(year, month)))
                            .At(time).InZoneLeniently(zone).ToInstant();
                    }
                }
            }
        }
    }

    private static string? CheckCycles(PeriodPolicy policy, PeriodContext context)
    {
        DateTimeZone zone = context.TimeZone!;
        LocalDateTime anchorLocal = context.Anchor!.Value.InZone(zone).LocalDateTime;
        int months = ((BillingCyclePeriodPolicy)policy).Months;
        UsagePeriod cycle = PeriodCalculator.GetPeriod(policy, context, context.Anchor.Value);
        if (cycle.Start != context.Anchor.Value)
        {
            return $"the first cycle {cycle} does not start at the anchor";
        }

        var startMonths = new HashSet<(int Year, int Month)> { (anchorLocal.Year, anchorLocal.Month) };
        for (int k = 1; k <= Years * 12 / months; k++)
        {
            UsagePeriod next = PeriodCalculator.Next(policy, context, cycle);
            if (next.Start != cycle.End || PeriodCalculator.Previous(policy, context, next) != cycle
                || PeriodCalculator.GetPeriod(policy, context, next.End - Duration.Epsilon) != next)
            {
                return $"cycles {cycle} and {next} are not contiguous";
            }

            cycle = next;
            LocalDateTime startLocal = cycle.Start.InZone(zone).LocalDateTime;
            if (!startMonths.Add((startLocal.Year, startLocal.Month)))
            {
                return $"two cycles start in {startLocal.Year}-{startLocal.Month}";
            }

            LocalDate expectedDate = ExpectedDate(anchorLocal.Date, k * months);
            LocalDateTime expected = expectedDate.At(anchorLocal.TimeOfDay);
            bool skipped = zone.MapLocal(expected).Count == 0;
            if (skipped ? !StartsAtTransition(zone, cycle.Start) : startLocal != expected)
            {
                return $"cycle {k} starts at local {startLocal}, expected {expected}{(skipped ? " (skipped)" : "")}";
            }
        }

        return null;
    }

    private static LocalDate ExpectedDate(LocalDate anchor, int monthsLater)
    {
        int monthIndex = (anchor.Year * 12) + anchor.Month - 1 + monthsLater;
        int year = monthIndex / 12;
        int month = (monthIndex % 12) + 1;
        return new LocalDate(year, month, Math.Min(anchor.Day, CalendarSystem.Iso.GetDaysInMonth(year, month)));
    }

    private static bool StartsAtTransition(DateTimeZone zone, Instant start)
    {
        NodaTime.TimeZones.ZoneInterval interval = zone.GetZoneInterval(start);
        return interval.HasStart && interval.Start == start;
    }
}
