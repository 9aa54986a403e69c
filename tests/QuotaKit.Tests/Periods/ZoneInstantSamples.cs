using NodaTime;

namespace QuotaKit.Tests.Periods;

/// <summary>
/// Instants to test period calculations with, per zone: a deterministic spread over 1990-2040 plus every offset
/// transition of the zone in that range and instants just around it. Shared (linked) with the PostgreSQL oracle tests.
/// </summary>
internal static class ZoneInstantSamples
{
    public static readonly Instant From = Instant.FromUtc(1990, 1, 1, 0, 0);
    public static readonly Instant To = Instant.FromUtc(2040, 1, 1, 0, 0);

    private static readonly Duration[] AroundTransition =
    [
        Duration.Zero,
        Duration.Epsilon, -Duration.Epsilon,
        Duration.FromTicks(1), -Duration.FromTicks(1),
        Duration.FromSeconds(1), -Duration.FromSeconds(1),
        Duration.FromMinutes(30), -Duration.FromMinutes(30),
        Duration.FromHours(1), -Duration.FromHours(1),
    ];

    public static IEnumerable<DateTimeZone> AllTzdbZones()
    {
        foreach (string id in DateTimeZoneProviders.Tzdb.Ids)
        {
            yield return DateTimeZoneProviders.Tzdb[id];
        }
    }

    public static List<Instant> For(DateTimeZone zone, int spreadCount)
    {
        var instants = new List<Instant>();
        var random = new Random(spreadCount);
        Duration step = (To - From) / spreadCount;
        for (int i = 0; i < spreadCount; i++)
        {
            instants.Add(From + (step * i) + Duration.FromSeconds(random.NextInt64((long)step.TotalSeconds)));
        }

        foreach (Instant transition in Transitions(zone))
        {
            foreach (Duration offset in AroundTransition)
            {
                instants.Add(transition + offset);
            }
        }

        return instants;
    }

    public static IEnumerable<Instant> Transitions(DateTimeZone zone)
    {
        foreach (NodaTime.TimeZones.ZoneInterval interval in zone.GetZoneIntervals(From, To))
        {
            if (interval.HasStart && interval.Start > From)
            {
                yield return interval.Start;
            }
        }
    }
}
