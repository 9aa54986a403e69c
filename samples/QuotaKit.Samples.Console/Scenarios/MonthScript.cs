namespace QuotaKit.Samples.Console.Scenarios;

/// <summary>Sets up the four subjects, schedules their month, and runs it on the fake clock.</summary>
internal static class MonthScript
{
    public static async Task RunAsync(SampleContext sample)
    {
        await AdaInMelbourne.ScheduleAsync(sample);
        await BobInNewYork.ScheduleAsync(sample);
        await CarolBurst.ScheduleAsync(sample);
        await AcmeTeam.ScheduleAsync(sample);

        System.Console.WriteLine();
        System.Console.WriteLine("== Timeline (each line in the subject's local time; routine daily usage is not printed) ==");
        await sample.Timeline.RunAsync(sample.Clock);
    }
}
