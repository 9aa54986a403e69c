using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// A tracker configured for <see cref="LoadRun"/>, connecting with an application name faults can target (unique per
/// caller, so a saboteur never hits another test class's sessions on the shared server).
/// </summary>
public static class LoadRunHost
{
    public static async Task<TrackerUnderTest> CreateAsync(string connectionString, LoadRunSettings settings, string applicationName = "quotakit-load")
    {
        var tagged = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;
        var host = TrackerHost.Create(tagged, new FakeClock(NodaTime.Instant.FromUtc(2025, 6, 1, 12, 0)), q => q
            .AddFeature(LoadRunSettings.Feature, PeriodPolicy.Day)
            .AddPlan("load", p => p.Limit(LoadRunSettings.Feature, settings.Limit))
            .UseDefaultPlan("load"));
        await host.Admin.SetOverrideAsync(settings.HotSubject, LoadRunSettings.Feature, FeatureLimit.Unlimited);
        return host;
    }
}
