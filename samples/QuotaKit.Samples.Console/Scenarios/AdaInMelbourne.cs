using NodaTime;

namespace QuotaKit.Samples.Console.Scenarios;

/// <summary>
/// Ada, free plan, in Australia/Melbourne. Her "day" is a Melbourne day: on 2025-04-06 clocks go back at 03:00 (+11:00)
/// to 02:00 (+10:00), so that day lasts 25 hours and 02:30 happens twice. On April 20 support grants her 2 extra images.
/// </summary>
internal static class AdaInMelbourne
{
    public static async Task ScheduleAsync(SampleContext sample)
    {
        var anchor = Instant.FromUtc(2025, 3, 19, 23, 0); // subscribed 2025-03-20 10:00 in Melbourne
        var ada = await sample.AddSubjectAsync("ada", "free", "Australia/Melbourne", anchor);
        var tracker = sample.Tracker;
        var zone = ada.Zone;

        foreach (var day in Month.Days.Where(d => d is not 6 and not 20))
        {
            sample.Timeline.At(Month.At(zone, day, 10), async () =>
                SampleContext.RequireAllowed(await tracker.TryConsumeAsync(ada.Id, "images")));
            sample.Timeline.At(Month.At(zone, day, 18), async () =>
                SampleContext.RequireAllowed(await tracker.TryConsumeAsync(ada.Id, "voice_seconds", 20)));
        }

        // The DST day: four images in one 25-hour Melbourne day, the fourth refused; then a new day.
        ImageAt(sample, ada, Summer(6, 0, 30), "image (day begins, +11:00)");
        ImageAt(sample, ada, Summer(6, 2, 30), "image (02:30, first time)");
        ImageAt(sample, ada, Winter(6, 2, 30), "image (02:30 again: 03:00 → 02:00)");
        ImageAt(sample, ada, Winter(6, 23, 30), "image (still April 6, 25 h day)", showPeriod: true);
        ImageAt(sample, ada, Winter(7, 0, 30), "image (April 7: a new day)");

        // A grant: 2 extra images valid for April 20 only, so 5 are allowed that day and the sixth is refused.
        await sample.Admin.AddGrantAsync(
            ada.Id, "images", 2, Month.At(zone, 20, 0), Month.At(zone, 21, 0), "support: goodwill credit");
        for (var hour = 9; hour <= 14; hour++)
        {
            ImageAt(sample, ada, Month.At(zone, 20, hour), $"image {hour - 8} on April 20 (grant +2)");
        }
    }

    private static void ImageAt(SampleContext sample, SampleSubject ada, Instant at, string what, bool showPeriod = false) =>
        sample.Timeline.At(at, async () =>
        {
            var decision = await sample.Tracker.TryConsumeAsync(ada.Id, "images");
            sample.Log(ada, what, decision);
            if (showPeriod)
            {
                sample.Log(ada, $"  that day is {Text.Period(decision.Period, ada.Zone)}");
                Check.That(decision.Period.Duration == Duration.FromHours(25), "The Melbourne day of 2025-04-06 should last 25 hours.");
            }
        });

    // Local times on the DST day, with the offset written out so the repeated hour is unambiguous.
    private static Instant Summer(int day, int hour, int minute) => Offset(day, hour, minute, 11);

    private static Instant Winter(int day, int hour, int minute) => Offset(day, hour, minute, 10);

    private static Instant Offset(int day, int hour, int minute, int offsetHours) =>
        new OffsetDateTime(new LocalDateTime(2025, 4, day, hour, minute), NodaTime.Offset.FromHours(offsetHours)).ToInstant();
}
