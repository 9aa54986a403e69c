using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Migrations;

public class IdempotentScriptTests : IClassFixture<FreshDatabase>
{
    private readonly FreshDatabase _database;

    public IdempotentScriptTests(FreshDatabase database)
    {
        _database = database;
    }

    public static string ShippedScriptPath => Path.Combine(RepositoryRoot.Find(), "src", "QuotaKit.PostgreSql", "Schema", "quotakit.sql");

    [Fact]
    public async Task The_shipped_script_is_what_the_current_migrations_generate()
    {
        var shipped = await File.ReadAllTextAsync(ShippedScriptPath);

        var generated = GenerateIdempotentScript();

        Normalize(shipped).Should().Be(Normalize(generated),
            "src/QuotaKit.PostgreSql/Schema/quotakit.sql is stale: regenerate it with 'bash eng/migrations.sh script' (it runs " +
            "'dotnet ef migrations script --idempotent --project src/QuotaKit.PostgreSql " +
            "--startup-project samples/QuotaKit.Samples.Console -o src/QuotaKit.PostgreSql/Schema/quotakit.sql' after a build)");
    }

    [Fact]
    public async Task The_script_applies_to_an_empty_database_and_again_to_the_migrated_one()
    {
        var script = await File.ReadAllTextAsync(ShippedScriptPath);

        await ExecuteAsync(_database.DataSource, script);
        var afterFirst = await SchemaFingerprint.ReadAsync(_database.DataSource);
        await ExecuteAsync(_database.DataSource, script);
        var afterSecond = await SchemaFingerprint.ReadAsync(_database.DataSource);

        afterFirst.Tables.Should().Contain(["usage_counters", "usage_events", "subjects"]);
        afterSecond.Should().BeEquivalentTo(afterFirst);
    }

    [Fact]
    public async Task The_script_applies_to_a_database_migrated_by_EF_and_leaves_the_same_schema()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("script_after_ef");
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (var context = CreateContext(connectionString))
            {
                await context.Database.MigrateAsync();
            }

            var migrated = await SchemaFingerprint.ReadAsync(dataSource);
            await ExecuteAsync(dataSource, await File.ReadAllTextAsync(ShippedScriptPath));

            (await SchemaFingerprint.ReadAsync(dataSource)).Should().BeEquivalentTo(migrated);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await SharedPostgres.DropDatabaseAsync(connectionString);
        }
    }

    private static string GenerateIdempotentScript()
    {
        using var context = CreateContext("Host=localhost;Database=unused");
        return context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
    }

    private static QuotaKitDbContext CreateContext(string connectionString) => QuotaKitContexts.Create(connectionString);

    private static string Normalize(string script) => script.TrimStart('\uFEFF').ReplaceLineEndings("\n").Trim();

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
