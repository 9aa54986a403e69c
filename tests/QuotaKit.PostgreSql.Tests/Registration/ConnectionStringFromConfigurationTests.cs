using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Registration;

/// <summary><c>UsePostgreSql(configuration)</c>: the README's quickstart reads <c>ConnectionStrings:Quotas</c>.</summary>
public class ConnectionStringFromConfigurationTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    [Fact]
    public async Task The_named_connection_string_is_the_database_QuotaKit_migrates_and_uses()
    {
        var configuration = Configuration(("ConnectionStrings:Quotas", database.ConnectionString));
        await using var provider = Services(q => q.UsePostgreSql(configuration));

        await provider.ApplyQuotaKitMigrationsAsync();

        (await provider.GetRequiredService<IQuotaKitMigrator>().GetPendingMigrationsAsync()).Should().BeEmpty();
        (await provider.GetRequiredService<IUsageTracker>().TryConsumeAsync("user-1", "images")).Used.Should().Be(1);
    }

    [Fact]
    public async Task A_missing_connection_string_fails_naming_the_key_and_where_to_put_it()
    {
        var configuration = Configuration(("ConnectionStrings:Other", database.ConnectionString));
        await using var provider = Services(q => q.UsePostgreSql(configuration, "Usage"));

        var migrate = () => provider.ApplyQuotaKitMigrationsAsync();

        var error = (await migrate.Should().ThrowAsync<QuotaConfigurationException>()).Which;
        error.Message.Should().Contain("'ConnectionStrings:Usage' is missing")
            .And.Contain("appsettings.json").And.Contain("ConnectionStrings__Usage");
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
            .Build();

    private static ServiceProvider Services(Action<QuotaKitBuilder> store)
    {
        var services = new ServiceCollection().AddLogging();
        store(services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 3))
            .UseDefaultPlan("free")));
        return services.BuildServiceProvider();
    }
}
