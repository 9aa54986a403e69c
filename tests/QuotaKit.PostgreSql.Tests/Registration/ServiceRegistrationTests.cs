using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Registration;

public class ServiceRegistrationTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    private const string ConnectionString = "Host=127.0.0.1;Database=not_used;Username=quotakit";

    [Fact]
    public async Task AddQuotaKit_with_PostgreSql_registers_a_working_migrator_admin_API_resolver_and_tracker()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).AddPlan("free", p => p.Limit("images", 3)).UseDefaultPlan("free"))
            .UsePostgreSql(database.ConnectionString);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        // Each registered service does its job on the configured database, and they share what they store.
        var migrator = provider.GetRequiredService<IQuotaKitMigrator>();
        (await migrator.GetPendingMigrationsAsync()).Should().NotBeEmpty("the database is empty");
        await migrator.ApplyMigrationsAsync();
        (await migrator.GetPendingMigrationsAsync()).Should().BeEmpty();

        await provider.GetRequiredService<IQuotaAdministration>().SetOverrideAsync("registered", "images", FeatureLimit.Hard(7));
        var resolved = await provider.GetRequiredService<ISubjectContextResolver>().ResolveAsync("registered", CancellationToken.None);
        var decision = await provider.GetRequiredService<IUsageTracker>().TryConsumeAsync("registered", "images", 5);

        resolved.Overrides.Should().Equal(new Dictionary<string, FeatureLimit> { ["images"] = FeatureLimit.Hard(7) });
        (decision.Allowed, decision.Used, decision.Limit).Should().Be((true, 5L, FeatureLimit.Hard(7)));
    }

    [Fact]
    public void Calling_AddQuotaKit_and_UsePostgreSql_twice_registers_each_service_once()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day)).UsePostgreSql(ConnectionString);
        services.AddQuotaKit(q => q.AddFeature("voice", PeriodPolicy.Month)).UsePostgreSql(ConnectionString);

        foreach (var type in new[] { typeof(IUsageTracker), typeof(IQuotaAdministration), typeof(IQuotaKitMigrator), typeof(ISubjectContextResolver), typeof(NodaTime.IClock) })
        {
            services.Count(d => d.ServiceType == type).Should().Be(1, $"{type.Name} must be registered once");
        }

        services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType?.Name)
            .Should().BeEquivalentTo("QuotaKitStartupService", "SubjectChangeListener");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<QuotaKitOptions>>().Value;
        options.Features.Keys.Should().BeEquivalentTo("images", "voice");
    }

    [Fact]
    public async Task Invalid_configuration_fails_at_host_start_up_listing_every_problem()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddFeature("images", PeriodPolicy.Month)
                .AddPlan("free", p => p.Limit("videos", 3))
                .UseDefaultPlan("gold"))
            .UsePostgreSql(ConnectionString);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<QuotaConfigurationException>()).Which;
        error.Problems.Should().HaveCount(3);
        error.Message.Should().Contain("'images' is declared twice").And.Contain("unknown feature 'videos'").And.Contain("'gold'");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Host=localhost;NoSuchKeyword=1")]
    public void A_missing_or_malformed_connection_string_is_refused_when_registering(string connectionString)
    {
        var builder = new ServiceCollection().AddQuotaKit();

        var register = () => builder.UsePostgreSql(connectionString);

        register.Should().Throw<ArgumentException>();
    }
}
