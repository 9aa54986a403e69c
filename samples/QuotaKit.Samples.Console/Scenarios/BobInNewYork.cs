using NodaTime;

namespace QuotaKit.Samples.Console.Scenarios;

/// <summary>
/// Bob, in America/New_York, subscribed on January 31 at 09:00, so his billing month runs Mar 31 → Apr 30 → May 31.
/// On April 10 he hits the free plan's limits, upgrades to pro at noon (the new limits apply at once to what he already
/// used), and his app retries a voice call with the same idempotency key: the retry is answered, not counted again.
/// </summary>
internal static class BobInNewYork
{
    public static async Task ScheduleAsync(SampleContext sample)
    {
        var anchor = Instant.FromUtc(2025, 1, 31, 14, 0); // 2025-01-31 09:00 in New York
        var bob = await sample.AddSubjectAsync("bob", "free", "America/New_York", anchor);
        var tracker = sample.Tracker;
        var zone = bob.Zone;

        foreach (var day in Month.Days.Where(d => d != 10))
        {
            sample.Timeline.At(Month.At(zone, day, 10), async () =>
            {
                var call = await tracker.TryConsumeAsync(bob.Id, "voice_seconds", 60);
                SampleContext.RequireAllowed(call);
                if (day is 8 or 30)
                {
                    sample.Log(bob, day == 8 ? "voice call, 60 s (80% of the monthly limit)" : "voice call, 60 s (new billing month)", call);
                    sample.Log(bob, $"  billing month {Text.Period(call.Period, zone)}, from his anchor {Text.LocalTime(anchor, zone)}");
                }
            });
        }

        for (var minute = 0; minute < 4; minute++)
        {
            sample.Timeline.At(Month.At(zone, 10, 9, minute), async () =>
                sample.Log(bob, "image", await tracker.TryConsumeAsync(bob.Id, "images")));
        }

        sample.Timeline.At(Month.At(zone, 10, 10), async () =>
            sample.Log(bob, "voice call, 90 s", await tracker.TryConsumeAsync(bob.Id, "voice_seconds", 90)));

        sample.Timeline.At(Month.At(zone, 10, 12), async () =>
        {
            await sample.Admin.SetPlanAsync(bob.Id, "pro");
            sample.Log(bob, "upgrades free → pro: new limits apply now, usage is kept");
            sample.Log(bob, "image", await tracker.TryConsumeAsync(bob.Id, "images"));
        });

        sample.Timeline.At(Month.At(zone, 10, 12, 5), async () => await RetriedCallAsync(sample, bob));
    }

    private static async Task RetriedCallAsync(SampleContext sample, SampleSubject bob)
    {
        var request = UsageOptions.WithIdempotencyKey("call-2025-04-10-bob-1");
        var first = await sample.Tracker.TryConsumeAsync(bob.Id, "voice_seconds", 90, request);
        sample.Log(bob, "voice call, 90 s, idempotency key K", first);

        sample.Clock.Advance(Duration.FromSeconds(30)); // the client timed out and sends the same request again
        var retry = await sample.Tracker.TryConsumeAsync(bob.Id, "voice_seconds", 90, request);
        sample.Log(bob, "same call retried with key K", retry);

        Check.That(first.Allowed && !first.IsReplay, "The first voice call after the upgrade should be allowed.");
        Check.That(retry.IsReplay && retry.Used == first.Used, "A retry with the same idempotency key must replay the first answer.");
    }
}
