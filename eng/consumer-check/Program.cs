// The consumer check: what a new user's app does with the packed packages, against a real PostgreSQL.
//   ConnectionStrings__Quotas        a database for the store (migrated here with ApplyQuotaKitMigrationsAsync)
//   ConnectionStrings__ScriptQuotas  a database run.sh created with the package's sql/quotakit.sql
// Exit code 0 when every check held; each check prints one line.
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit;
using QuotaKit.PostgreSql;
using QuotaKit.Testing;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var failures = 0;

void Check(bool held, string what)
{
    Console.WriteLine($"{(held ? "ok  " : "FAIL")}  {what}");
    failures += held ? 0 : 1;
}

static string Version(Type type) =>
    type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

Console.WriteLine($"Loaded: QuotaKit {Version(typeof(IUsageTracker))}, EF Core {Version(typeof(DbContext))}, " +
    $"Npgsql {Version(typeof(NpgsqlConnection))}, NodaTime {Version(typeof(Instant))}");

static ServiceProvider Build(Action<QuotaKitBuilder> store, IClock? clock = null)
{
    var services = new ServiceCollection().AddLogging();
    store(services.AddQuotaKit(q =>
    {
        q.AddFeature("images", PeriodPolicy.Day, f => f.Unit = "image")
            .AddPlan("free", p => p.Limit("images", 3))
            .UseDefaultPlan("free");
        if (clock is not null)
        {
            q.UseClock(clock);
        }
    }));
    return services.BuildServiceProvider();
}

// The PostgreSQL store, configured as in the README's quickstart.
await using (var app = Build(q => q.UsePostgreSql(configuration)))
{
    var migrator = app.GetRequiredService<IQuotaKitMigrator>();
    var pendingBefore = await migrator.GetPendingMigrationsAsync();
    await app.ApplyQuotaKitMigrationsAsync();
    Check(pendingBefore.Count > 0 && (await migrator.GetPendingMigrationsAsync()).Count == 0,
        $"ApplyQuotaKitMigrationsAsync applied {string.Join(", ", pendingBefore)}");

    var quotas = app.GetRequiredService<IUsageTracker>();
    var decisions = new List<UsageDecision>();
    for (var i = 0; i < 4; i++)
    {
        decisions.Add(await quotas.TryConsumeAsync("consumer-user", "images"));
    }

    Check(decisions.Count(d => d.Allowed) == 3 && !decisions[3].Allowed && decisions[3].Used == 3,
        $"TryConsumeAsync x4 on a limit of 3: {string.Join(", ", decisions.Select(d => d.Allowed ? "allowed" : "denied"))}; used {decisions[3].Used}");

    var usage = await quotas.GetUsageAsync("consumer-user");
    Check(usage.Single(u => u.FeatureKey == "images").Used == 3, "GetUsageAsync reports 3 images used");
}

// A missing connection string names the key and where it goes.
await using (var app = Build(q => q.UsePostgreSql(configuration, "Missing")))
{
    try
    {
        await app.ApplyQuotaKitMigrationsAsync();
        Check(false, "a missing connection string fails");
    }
    catch (QuotaConfigurationException error)
    {
        Check(error.Message.Contains("ConnectionStrings:Missing", StringComparison.Ordinal),
            $"a missing connection string fails: {error.Message.Split(". ")[0]}");
    }
}

// The database created from the package's idempotent script needs no migration.
await using (var app = Build(q => q.UsePostgreSql(configuration, "ScriptQuotas")))
{
    var pending = await app.GetRequiredService<IQuotaKitMigrator>().GetPendingMigrationsAsync();
    Check(pending.Count == 0, $"sql/quotakit.sql from the package leaves {pending.Count} migration(s) pending");
    var decision = await app.GetRequiredService<IUsageTracker>().TryConsumeAsync("script-user", "images");
    Check(decision.Allowed && decision.Used == 1, "TryConsumeAsync works on the script-created database");
}

// QuotaKit.Testing: the in-memory store and the fake clock, for an app's own unit tests.
var clock = new FakeClock(Instant.FromUtc(2025, 4, 1, 23, 0));
await using (var test = Build(q => q.UseInMemoryStore(), clock))
{
    var quotas = test.GetRequiredService<IUsageTracker>();
    for (var i = 0; i < 3; i++)
    {
        await quotas.TryConsumeAsync("test-user", "images");
    }

    var refused = await quotas.TryConsumeAsync("test-user", "images");
    clock.Advance(Duration.FromHours(1));
    var nextDay = await quotas.TryConsumeAsync("test-user", "images");
    Check(!refused.Allowed && nextDay.Allowed && nextDay.Used == 1,
        "in-memory store with FakeClock: the 4th image is refused, the next day starts from zero");
}

Console.WriteLine(failures == 0 ? "Consumer check passed." : $"Consumer check FAILED: {failures} check(s).");
return failures == 0 ? 0 : 1;
