using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql;
using QuotaKit.Testing;

namespace QuotaKit.Benchmarks.Infrastructure;

/// <summary>A feature and the hard limit every contender enforces on it.</summary>
internal sealed record Quota(string FeatureKey, long Limit);

/// <summary>
/// What every contender works on: two daily features on one plan, a clock pinned to the run's start (so no period
/// boundary falls inside a run), and subject ids unique to the run (so an existing database can be reused).
/// </summary>
internal sealed class Workload
{
    /// <summary>A limit never reached: throughput is measured on allowed calls.</summary>
    public static readonly Quota Unbounded = new("calls", 1_000_000_000_000);

    /// <summary>A limit that gets hit: overshoot is measured on it.</summary>
    public static readonly Quota Capped = new("capped", 200);

    public const int ManySubjects = 10_000;

    public Workload(Instant now)
    {
        Now = now;
        Clock = new FakeClock(now);
        RunId = now.ToUnixTimeTicks().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Period = PeriodCalculator.GetPeriod(PeriodPolicy.Day, PeriodContext.Default, now);
    }

    public Instant Now { get; }

    public FakeClock Clock { get; }

    public string RunId { get; }

    /// <summary>The day both features' counters fall in.</summary>
    public UsagePeriod Period { get; }

    public string Subject(string contender, string scenario, int index) => $"{contender}-{RunId}-{scenario}-{index}";

    /// <summary>QuotaKit as an app registers it, on <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="defaultSettings">QuotaKit's defaults for the subject cache, instead of the hour the load part uses.</param>
    public ServiceProvider CreateQuotaKit(string connectionString, bool defaultSettings = false)
    {
        var services = new ServiceCollection();
        Register(services, defaultSettings).UsePostgreSql(connectionString);
        return services.BuildServiceProvider();
    }

    /// <summary>Declares the workload's features and plan in <paramref name="services"/>; the caller adds the store.</summary>
    public QuotaKitBuilder Register(IServiceCollection services, bool defaultSettings = false) =>
        services.AddQuotaKit(q => q
            .UseClock(Clock)
            .AddFeature(Unbounded.FeatureKey, PeriodPolicy.Day)
            .AddFeature(Capped.FeatureKey, PeriodPolicy.Day)
            .AddPlan("bench", p => p.Limit(Unbounded.FeatureKey, Unbounded.Limit).Limit(Capped.FeatureKey, Capped.Limit))
            .UseDefaultPlan("bench")
            // Long enough to cover the run once warmed: the figures are for the cached path (see docs/benchmarks.md).
            .Configure(o =>
            {
                if (!defaultSettings)
                {
                    o.SubjectCacheDuration = Duration.FromHours(1);
                }
            }));
}
