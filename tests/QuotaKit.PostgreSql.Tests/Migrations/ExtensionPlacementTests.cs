using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// QuotaKit keeps its footprint inside its own schema: on an empty database <c>btree_gist</c> and its ~190 functions are
/// installed in <c>quotakit</c>, not in the host's <c>public</c>; an extension the host already installed stays where it is.
/// </summary>
/// <remarks>
/// The connection sets <c>search_path=public</c>: the test server's user is called <c>quotakit</c>, so the default
/// <c>"$user", public</c> would resolve to QuotaKit's schema by coincidence and hide where a real migration role's
/// CREATE EXTENSION lands.
/// </remarks>
public class ExtensionPlacementTests
{
    private const string PlacementSql =
        """
        SELECT n.nspname,
               (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace)
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'btree_gist'
        """;

    [Fact]
    public async Task On_an_empty_database_btree_gist_is_installed_in_the_quotakit_schema_and_public_stays_empty()
    {
        var (schema, publicFunctions) = await MigrateAsync(hostInstalledBtreeGist: false);

        schema.Should().Be(QuotaKitSchema.Name);
        publicFunctions.Should().Be(0, "QuotaKit adds no function to the host's public schema");
    }

    [Fact]
    public async Task A_btree_gist_the_host_installed_stays_where_it_is()
    {
        var (schema, publicFunctions) = await MigrateAsync(hostInstalledBtreeGist: true);

        schema.Should().Be("public");
        publicFunctions.Should().BeGreaterThan(100, "the host's extension was not moved");
    }

    private static async Task<(string Schema, long PublicFunctions)> MigrateAsync(bool hostInstalledBtreeGist)
    {
        await using var database = await TestDatabase.CreateAsync("extension_placement");
        var publicFirst = new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = "public" }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(publicFirst);
        if (hostInstalledBtreeGist)
        {
            await using var install = dataSource.CreateCommand("CREATE EXTENSION btree_gist");
            await install.ExecuteNonQueryAsync();
        }

        var services = new ServiceCollection().AddLogging();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 3))
            .UseDefaultPlan("free")
            .UsePostgreSql(publicFirst));
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.GetRequiredService<IQuotaKitMigrator>().ApplyMigrationsAsync();
            (await provider.GetRequiredService<IUsageTracker>().IncrementAsync("s", "images")).Used.Should().Be(1,
                "the exclusion constraint works wherever btree_gist is");
        }

        await using var command = dataSource.CreateCommand(PlacementSql);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue("the migrations install btree_gist");
        return (reader.GetString(0), reader.GetInt64(1));
    }
}
