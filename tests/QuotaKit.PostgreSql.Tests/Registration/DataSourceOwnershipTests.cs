using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Registration;

/// <summary>
/// QuotaKit disposes the data source it created from a connection string with the container, and never a data source
/// the host passed in (the host may still use it), whether the container is disposed synchronously or not.
/// </summary>
public class DataSourceOwnershipTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_hosts_data_source_outlives_the_container(bool disposeAsync)
    {
        await using var hostDataSource = NpgsqlDataSource.Create(database.ConnectionString);

        await DisposeAsync(Build(q => q.UsePostgreSql(hostDataSource)), disposeAsync);

        await using var connection = await hostDataSource.OpenConnectionAsync();
        connection.State.Should().Be(System.Data.ConnectionState.Open);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_data_source_QuotaKit_created_is_disposed_with_the_container(bool disposeAsync)
    {
        var provider = Build(q => q.UsePostgreSql(database.ConnectionString));
        var created = provider.GetRequiredService<QuotaKitDataSource>().DataSource;

        await DisposeAsync(provider, disposeAsync);

        var open = async () => await created.OpenConnectionAsync();
        await open.Should().ThrowAsync<ObjectDisposedException>();
    }

    private static ServiceProvider Build(Action<QuotaKitBuilder> store)
    {
        var services = new ServiceCollection();
        store(services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day)));
        var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<QuotaKitDataSource>(); // created, so the container owns the instance
        return provider;
    }

    private static async Task DisposeAsync(ServiceProvider provider, bool disposeAsync)
    {
        if (disposeAsync)
        {
            await provider.DisposeAsync();
        }
        else
        {
            provider.Dispose();
        }
    }
}
