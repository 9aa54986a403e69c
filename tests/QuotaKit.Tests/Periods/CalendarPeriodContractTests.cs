using System.Diagnostics;

using NodaTime;


using Xunit.Abstractions;

namespace QuotaKit.Tests.Periods;

/// <summary>
/// Property tests over every tzdb zone and instants from 1990 to 2040, including each zone's transitions: for every
/// instant t, <c>start &lt;= t &lt; end</c>, the neighbouring periods touch without gap or overlap, and each start is
/// the policy's local boundary (or, where that local time was skipped, the transition that skipped it).
/// </summary>
public class CalendarPeriodContractTests(ITestOutputHelper output)
{
    public static TheoryData<string> CalendarPolicies => new()
    {
        "minute", "hour", "day", "week", "week:sunday", "week:thursday", "month", "quarter", "year",
    };

    [Theory]
    [MemberData(nameof(CalendarPolicies))]
    public void Periods_contain_the_instant_and_tile_time_in_every_zone(string policyText)
    {
        PeriodPolicy policy = PeriodPolicy.Parse(policyText);
        var failures = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        int checkedInstants = 0;
        foreach (DateTimeZone zone in ZoneInstantSamples.AllTzdbZones())
        {
            var context = new PeriodContext(zone);
            foreach (Instant instant in ZoneInstantSamples.For(zone, spreadCount: 200))
            {
                checkedInstants++;
                string? failure = CheckContract(policy, context, instant);
                if (failure is not null && failures.Count < 20)
                {
                    failures.Add($"{zone.Id} {instant}: {failure}");
                }
            }
        }

        output.WriteLine($"{policy}: {checkedInstants} instants in {stopwatch.Elapsed}");
        failures.Should().BeEmpty();
    }

    private static string? CheckContract(PeriodPolicy policy, PeriodContext context, Instant instant)
    {
        UsagePeriod period = PeriodCalculator.GetPeriod(policy, context, instant);
        if (!period.Contains(instant))
        {
            return $"{period} does not contain the instant";
        }

        if (PeriodCalculator.GetPeriod(policy, context, period.Start) != period
            || PeriodCalculator.GetPeriod(policy, context, period.End - Duration.Epsilon) != period)
        {
            return $"{period} is not the period of its own first and last instants";
        }

        if (PeriodCalculator.Next(policy, context, period).Start != period.End
            || PeriodCalculator.Previous(policy, context, period).End != period.Start)
        {
            return $"{period} does not touch its neighbours";
        }

        return IsBoundary(policy, context.TimeZone!, period.Start) ? null : $"{period} does not start on a boundary";
    }

    private static bool IsBoundary(PeriodPolicy policy, DateTimeZone zone, Instant start)
    {
        NodaTime.TimeZones.ZoneInterval interval = zone.GetZoneInterval(start);
        if (interval.HasStart && interval.Start == start)
        {
            return true; // a local boundary skipped by this transition starts here
        }

        LocalDateTime local = start.InZone(zone).LocalDateTime;
        bool startOfMinute = local.Second == 0 && local.NanosecondOfSecond == 0;
        bool midnight = local.TimeOfDay == LocalTime.Midnight;
        return policy.ToConfigurationString() switch
        {
            "minute" => startOfMinute,
            "hour" => startOfMinute && local.Minute == 0,
            "day" => midnight,
            "week" => midnight && local.DayOfWeek == IsoDayOfWeek.Monday,
            "week:sunday" => midnight && local.DayOfWeek == IsoDayOfWeek.Sunday,
            "week:thursday" => midnight && local.DayOfWeek == IsoDayOfWeek.Thursday,
            "month" => midnight && local.Day == 1,
            "quarter" => midnight && local.Day == 1 && local.Month % 3 == 1,
            "year" => midnight && local.Day == 1 && local.Month == 1,
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a calendar policy."),
        };
    }
}
