using Microsoft.Extensions.DependencyInjection;
using QuotaKit.Testing;

namespace QuotaKit.Samples.Console;

/// <summary>What the scenarios share: QuotaKit's services, the fake clock, the timeline and the subjects.</summary>
internal sealed class SampleContext(IServiceProvider services, FakeClock clock, string subjectSuffix)
{
    private readonly List<SampleSubject> _subjects = [];

    public IUsageTracker Tracker { get; } = services.GetRequiredService<IUsageTracker>();

    public IQuotaAdministration Admin { get; } = services.GetRequiredService<IQuotaAdministration>();

    public FakeClock Clock => clock;

    public Timeline Timeline { get; } = new();

    public IReadOnlyList<SampleSubject> Subjects => _subjects;

    /// <summary>Creates a subject with a plan, an optional time zone and a billing anchor.</summary>
    public async Task<SampleSubject> AddSubjectAsync(string name, string plan, string? timeZoneId, NodaTime.Instant billingAnchor)
    {
        var subject = new SampleSubject(name + subjectSuffix, name, timeZoneId);
        await Admin.SetPlanAsync(subject.Id, plan);
        await Admin.SetTimeZoneAsync(subject.Id, timeZoneId);
        await Admin.SetBillingAnchorAsync(subject.Id, billingAnchor);
        _subjects.Add(subject);
        return subject;
    }

    /// <summary>Prints one line of the timeline, stamped with the clock in the subject's local time.</summary>
    public void Log(SampleSubject subject, string text) =>
        System.Console.WriteLine($"  {Text.LocalTime(Clock.GetCurrentInstant(), subject.Zone)}  {subject.Name,-6} {text}");

    /// <summary>Prints what a usage call answered.</summary>
    public void Log(SampleSubject subject, string call, UsageDecision decision) =>
        Log(subject, $"{call,-44} {Text.Decision(decision)}");

    /// <summary>A routine call that must be allowed (the month's background usage); not printed.</summary>
    public static void RequireAllowed(UsageDecision decision) =>
        Check.That(decision.Allowed, $"Routine usage was refused: {decision}");
}
