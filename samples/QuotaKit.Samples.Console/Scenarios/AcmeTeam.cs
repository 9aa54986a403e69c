using NodaTime;

namespace QuotaKit.Samples.Console.Scenarios;

/// <summary>
/// Acme, an organisation on the team plan (no zone of its own: UTC). Seats are a gauge kept at the month's maximum;
/// voice is metered with IncrementAsync (unlimited on this plan); images are consumed 40 at a time.
/// </summary>
internal static class AcmeTeam
{
    public static async Task ScheduleAsync(SampleContext sample)
    {
        var acme = await sample.AddSubjectAsync("acme", "team", timeZoneId: null, Instant.FromUtc(2024, 11, 15, 0, 0));
        var tracker = sample.Tracker;

        foreach (var day in Month.Days)
        {
            sample.Timeline.At(Month.At(acme.Zone, day, 12), async () =>
            {
                SampleContext.RequireAllowed(await tracker.TryConsumeAsync(acme.Id, "images", 40));
                SampleContext.RequireAllowed(await tracker.IncrementAsync(acme.Id, "voice_seconds", 1_800));
            });
        }

        SeatsOn(sample, acme, day: 1, seats: 12, "seats in use: 12");
        SeatsOn(sample, acme, day: 14, seats: 21, "seats in use: 21 (84% of soft limit)");
        SeatsOn(sample, acme, day: 22, seats: 9, "seats in use: 9 (month max stays 21)");
    }

    private static void SeatsOn(SampleContext sample, SampleSubject acme, int day, long seats, string what) =>
        sample.Timeline.At(Month.At(acme.Zone, day, 9), async () =>
            sample.Log(acme, what, await sample.Tracker.SetGaugeAsync(acme.Id, "seats", seats)));
}
