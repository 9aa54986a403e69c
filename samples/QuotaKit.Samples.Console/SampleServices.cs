using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using QuotaKit.PostgreSql;

namespace QuotaKit.Samples.Console;

/// <summary>The QuotaKit set-up an app would have in its Program.cs: features, plans, alerts and the PostgreSQL store.</summary>
internal static class SampleServices
{
    public static ServiceProvider Build(string connectionString, IClock clock)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        services.AddSingleton<AlertLog>();

        services.AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day, f => f.Unit = "image")
                .AddFeature("voice_seconds", PeriodPolicy.MonthlyBillingCycle, f => f.Unit = "second")
                .AddFeature("seats", PeriodPolicy.Month, f =>
                {
                    f.Unit = "seat";
                    f.Aggregation = FeatureAggregation.Max;
                })
                .AddPlan("free", p => p.Limit("images", 3).Limit("voice_seconds", 600).Limit("seats", 1))
                .AddPlan("pro", p => p.Limit("images", 100).SoftLimit("voice_seconds", 36_000).Limit("seats", 5))
                .AddPlan("team", p => p.Limit("images", 500).Unlimited("voice_seconds").SoftLimit("seats", 25))
                .UseDefaultPlan("free")
                .AddAlertHandler<CollectingAlertHandler>()
                .UseClock(clock))
            .UsePostgreSql(connectionString);

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
