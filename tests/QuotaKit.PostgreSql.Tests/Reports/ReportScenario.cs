using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Reports;

/// <summary>
/// A migrated database with three features of different periods shown as columns, two plans, overrides, a grant and
/// usage in current and past periods. The reports read <c>now()</c>, so the tracker runs on the system clock; a run
/// that straddles midnight UTC could see the day feature's period change between writing and reading.
/// </summary>
public sealed class ReportScenario : FreshDatabase
{
    public TrackerUnderTest Host { get; private set; } = null!;

    public Instant Now { get; private set; }

    public static void Configure(QuotaKitBuilder q) => q
        .AddFeature("images", PeriodPolicy.Day, f => f.Column("images_generated"))
        .AddFeature("voice-seconds", PeriodPolicy.MonthlyBillingCycle, f => f.Column())
        .AddFeature("trial_credits", PeriodPolicy.Lifetime, f => f.Column())
        .AddFeature("exports", PeriodPolicy.Day) // no column: stays out of the wide report
        .AddPlan("free", p => p.Limit("images", 3).SoftLimit("voice-seconds", 600).Limit("trial_credits", 10).Limit("exports", 5))
        .AddPlan("pro", p => p.Limit("images", 100).Unlimited("voice-seconds").Limit("exports", 50))
        .UseDefaultPlan("free");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = TrackerHost.Create(ConnectionString, SystemClock.Instance, Configure);
        await Host.Services.ApplyQuotaKitMigrationsAsync();
        Now = SystemClock.Instance.GetCurrentInstant();
        var tracker = Host.Tracker;
        var admin = Host.Admin;

        // alice: pro, billed monthly from 40 days ago.
        await admin.SetPlanAsync("alice", "pro");
        await admin.SetBillingAnchorAsync("alice", Now - Duration.FromDays(40));
        await tracker.TryConsumeAsync("alice", "images", 2);
        await tracker.TryConsumeAsync("alice", "voice-seconds", 30);

        // bob: no plan (the default applies); images only yesterday, trial credits for life (counted from his anchor).
        await admin.SetBillingAnchorAsync("bob", Now - Duration.FromDays(10));
        await tracker.TryConsumeAsync("bob", "images", 1, new UsageOptions { At = Now - Duration.FromDays(1) });
        await tracker.TryConsumeAsync("bob", "trial_credits", 4);
        await tracker.TryConsumeAsync("bob", "exports", 5);

        // carol: free, images override 5 plus a grant of 2 valid now, and an expired grant that must not count.
        await admin.SetPlanAsync("carol", "free");
        await admin.SetOverrideAsync("carol", "images", FeatureLimit.Hard(5));
        await admin.AddGrantAsync("carol", "images", 2, Now - Duration.FromHours(1), Now + Duration.FromDays(1));
        await admin.AddGrantAsync("carol", "images", 50, Now - Duration.FromDays(3), Now - Duration.FromDays(2));
        await tracker.TryConsumeAsync("carol", "images", 6);

        // dave: free, voice disabled by override, images unlimited by override.
        await admin.SetPlanAsync("dave", "free");
        await admin.SetOverrideAsync("dave", "voice-seconds", FeatureLimit.Disabled);
        await admin.SetOverrideAsync("dave", "images", FeatureLimit.Unlimited);
        await tracker.TryConsumeAsync("dave", "images", 40);

        // erin and frank: no subjects row at all (default plan); erin at the images limit, frank at one image.
        await tracker.TryConsumeAsync("erin", "images", 3);
        await tracker.TryConsumeAsync("frank", "images", 1);

        // henry: used 3 images, then images disabled for him; a grant never turns a disabled feature back on.
        await admin.SetPlanAsync("henry", "free");
        await tracker.TryConsumeAsync("henry", "images", 3);
        await admin.SetOverrideAsync("henry", "images", FeatureLimit.Disabled);
        await admin.AddGrantAsync("henry", "images", 2, Now - Duration.FromHours(1), Now + Duration.FromDays(1));

        // gina: no subjects row and only yesterday's usage: nothing makes her known now, so she has no row (docs/reporting.md).
        await tracker.TryConsumeAsync("gina", "images", 1, new UsageOptions { At = Now - Duration.FromDays(1) });
    }

    public override async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }

    public IQuotaKitReports Reports => Host.Services.GetRequiredService<IQuotaKitReports>();
}
