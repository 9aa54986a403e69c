using NodaTime;

namespace QuotaKit.Samples.Console.Scenarios;

/// <summary>
/// Carol, free plan with a trial override of 20 images a day (UTC). Her script fires 50 image requests at the same
/// instant: exactly 20 are allowed, because the check and the increment are one atomic statement.
/// </summary>
internal static class CarolBurst
{
    public const int Attempts = 50;
    public const long TrialLimit = 20;

    public static async Task ScheduleAsync(SampleContext sample)
    {
        var carol = await sample.AddSubjectAsync("carol", "free", timeZoneId: null, Instant.FromUtc(2025, 4, 15, 0, 0));
        await sample.Admin.SetOverrideAsync(carol.Id, "images", FeatureLimit.Hard(TrialLimit));

        sample.Timeline.At(Month.At(carol.Zone, 15, 14), async () =>
        {
            sample.Log(carol, $"fires {Attempts} image requests at once (trial override: {TrialLimit} a day)");
            var decisions = await Task.WhenAll(Enumerable.Range(0, Attempts)
                .Select(_ => Task.Run(() => sample.Tracker.TryConsumeAsync(carol.Id, "images"))));

            var allowed = decisions.Count(d => d.Allowed);
            var used = decisions.Max(d => d.Used);
            sample.Log(carol, $"BURST attempts={Attempts} limit={TrialLimit} allowed={allowed} denied={Attempts - allowed} used={used}");
            Check.That(allowed == TrialLimit && used == TrialLimit,
                $"The burst should allow exactly {TrialLimit} requests; {allowed} were allowed and used is {used}.");
        });
    }
}
