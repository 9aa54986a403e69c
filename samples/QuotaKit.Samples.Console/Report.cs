namespace QuotaKit.Samples.Console;

/// <summary>Prints the end-of-month usage per subject, two histories and the alerts fired, checking the limits held.</summary>
internal static class Report
{
    public static async Task PrintAsync(SampleContext sample, AlertLog alertLog)
    {
        System.Console.WriteLine();
        System.Console.WriteLine("== Usage at the end of April (2025-04-30 23:00 in each subject's zone) ==");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var subject in sample.Subjects)
        {
            var plan = (await sample.Admin.GetSubjectAsync(subject.Id)).PlanKey ?? "(default)";
            var usage = await sample.Tracker.GetUsageAsync(subject.Id, Month.EndIn(subject.Zone));
            foreach (var row in usage.Select(u => Row(subject, u)))
            {
                row.Insert(2, plan);
                rows.Add(row);
            }
        }

        Table.Print(["subject", "zone", "plan", "feature", "used", "limit", "unit", "period (subject's local time)"], rows);

        var ada = sample.Subjects.Single(s => s.Name == "ada");
        var bob = sample.Subjects.Single(s => s.Name == "bob");
        await PrintHistoryAsync(sample, ada, "images", "Ada's images around the Melbourne DST change (the day of April 6 has 25 hours)", 4, 9);
        await PrintHistoryAsync(sample, bob, "voice_seconds", "Bob's voice seconds per billing month (anchored on January 31)", 1, 30);
        PrintAlerts(sample, alertLog.Alerts);
    }

    private static async Task PrintHistoryAsync(SampleContext sample, SampleSubject subject, string feature, string title, int fromDay, int toDay)
    {
        System.Console.WriteLine();
        System.Console.WriteLine($"== History: {title} ==");
        var history = await sample.Tracker.GetHistoryAsync(
            subject.Id, feature, Month.At(subject.Zone, fromDay, 0), Month.At(subject.Zone, toDay, 23));
        Table.Print(
            ["subject", "zone", "feature", "used", "limit", "unit", "period (subject's local time)"],
            history.Select(u => Row(subject, u)).ToList());
    }

    private static void PrintAlerts(SampleContext sample, IReadOnlyList<QuotaAlert> alerts)
    {
        System.Console.WriteLine();
        System.Console.WriteLine($"== Alerts fired: {alerts.Count} (delivered to CollectingAlertHandler after each write committed) ==");
        Table.Print(
            ["subject", "feature", "threshold", "used", "limit", "detected at (subject's local time)"],
            alerts.OrderBy(a => a.DetectedAt).Select(a =>
            {
                var subject = sample.Subjects.Single(s => s.Id == a.SubjectId);
                return (IReadOnlyList<string>)[subject.Name, a.FeatureKey, $"{a.ThresholdPercent}%", $"{a.Used}", Text.Limit(a.Limit), Text.LocalTime(a.DetectedAt, subject.Zone)];
            }).ToList());
        Check.That(alerts.Count > 0, "Alerts should have fired during the month.");
    }

    private static List<string> Row(SampleSubject subject, FeatureUsage usage)
    {
        Check.That(
            usage.Limit is not { Kind: LimitKind.Limited, IsSoft: false } || usage.Used <= usage.Limit.Value,
            $"{subject.Name} used {usage.Used} {usage.FeatureKey}, over the hard limit {usage.Limit}.");
        return [subject.Name, subject.TimeZoneId ?? "UTC", usage.FeatureKey, $"{usage.Used}", Text.Limit(usage.Limit), usage.Unit, Text.Period(usage.Period, subject.Zone)];
    }
}
