using Npgsql;
using QuotaKit.EntityFrameworkCore.Tests.Infrastructure;
using QuotaKit.Periods;
using QuotaKit.Testing;

namespace QuotaKit.EntityFrameworkCore.Tests.Reliability;

/// <summary>A tracker configured for <see cref="LoadRun"/>, connecting with an application name faults can target.</summary>
public static class LoadRunHost
{
    public const string ApplicationName = "quotakit-load";

    public static async Task<TrackerHost> CreateAsync(string connectionString, LoadRunSettings settings)
    {
        var tagged = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName }.ConnectionString;
        var host = TrackerHost.Create(tagged, new FakeClock(NodaTime.Instant.FromUtc(2025, 6, 1, 12, 0)), q => q
            .AddFeature(LoadRunSettings.Feature, PeriodPolicy.Day)
            .AddPlan("load", p => p.Limit(LoadRunSettings.Feature, settings.Limit))
            .UseDefaultPlan("load"));
        await host.Admin.SetOverrideAsync(settings.HotSubject, LoadRunSettings.Feature, FeatureLimit.Unlimited);
        return host;
    }
}
