using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// Released database objects never change: a change to <c>record_usage</c> is a new file in a new schema version and a new
/// migration, and the 0.1.0 migration keeps generating the SQL 0.1.0 shipped, byte for byte.
/// </summary>
public class FrozenObjectsTests : IClassFixture<FreshDatabase>
{
    private const string InitialCreate = "20261121233614_InitialCreate";

    // SHA-256 of each released file. A failure here means a released object was edited: revert the edit and put the
    // change into a new version instead (docs/architecture.md, "Changing record_usage").
    private static readonly Dictionary<string, string> ReleasedFiles = new()
    {
        ["no_overlap.v1.sql"] = "e350005d1b4464eb2a71997de61160a5e1e9899b820ad9b3e08114dcd9337725",
        ["no_overlap.v1.drop.sql"] = "edfa9308e296b9f80b54b9550749201586154231f8346e31d07f3f325a326ee3",
        ["record_usage.v1.sql"] = "0fe87afa194f0e7dfd7e496ec9ccfcbf743253743ad69ff473e76b5fd2b3a68e",
        ["record_usage.v1.drop.sql"] = "f2121e1c47f75fb61735a4db5ab5eb56cabf95ff90866247342e9494e95728e6",
    };

    private readonly FreshDatabase _database;

    public FrozenObjectsTests(FreshDatabase database)
    {
        _database = database;
    }

    public static string GoldenScriptPath => Path.Combine(RepositoryRoot.Find(), "tests", "QuotaKit.PostgreSql.Tests", "Migrations", "Golden", "quotakit-0.1.0.sql");

    [Theory]
    [MemberData(nameof(ReleasedFileNames))]
    public void A_released_object_file_is_unchanged(string fileName)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(FrozenObjects.Read(fileName))));

        hash.Should().Be(ReleasedFiles[fileName], $"{fileName} shipped in a release and is frozen");
    }

    public static TheoryData<string> ReleasedFileNames() => new(ReleasedFiles.Keys);

    [Fact]
    public async Task The_0_1_0_migration_generates_the_script_0_1_0_shipped_byte_for_byte()
    {
        var golden = await File.ReadAllTextAsync(GoldenScriptPath);

        var generated = GenerateScript(toMigration: InitialCreate);

        generated.Should().Be(golden);
    }

    [Fact]
    public async Task The_shipped_script_begins_with_the_0_1_0_script_unchanged()
    {
        var golden = await File.ReadAllTextAsync(GoldenScriptPath);
        var shipped = await File.ReadAllTextAsync(IdempotentScriptTests.ShippedScriptPath);

        shipped.Should().StartWith(golden, "later versions only append to the idempotent script");
    }

    [Fact]
    public async Task A_simulated_next_version_that_edits_record_usage_applies_and_leaves_the_0_1_0_migration_byte_identical()
    {
        await QuotaKitContexts.MigrateAsync(_database.ConnectionString);
        var golden = await File.ReadAllTextAsync(GoldenScriptPath);

        // What a version 3 would ship: an edited record_usage in a file of its own, installed by a migration of its own.
        var editedFunction = FrozenObjects.Read("record_usage.v1.sql")
            .Replace("-- 1. Claim the idempotency key.", "-- simulated v3\n    -- 1. Claim the idempotency key.", StringComparison.Ordinal);
        editedFunction.Should().NotBe(FrozenObjects.Read("record_usage.v1.sql"), "the simulated edit must change the function");
        await using (var context = QuotaKitContexts.Create(_database.ConnectionString))
        {
            var version3 = new MigrationBuilder(context.Database.ProviderName);
            version3.Sql(editedFunction);
            await HostMigrations.ExecuteAsync(context, version3);
        }

        await using var command = _database.DataSource.CreateCommand(
            "SELECT prosrc FROM pg_proc WHERE proname = 'record_usage' AND pronamespace = 'quotakit'::regnamespace");
        ((string)(await command.ExecuteScalarAsync())!).Should().Contain("simulated v3", "the new version replaced the function");
        GenerateScript(toMigration: InitialCreate).Should().Be(golden, "the released migration still emits the released text");
        string.Concat(FrozenObjects.Up(1)).Should().NotContain("simulated v3");
    }

    private static string GenerateScript(string toMigration)
    {
        using var context = QuotaKitContexts.Create("Host=localhost;Database=unused");
        return context.GetService<IMigrator>().GenerateScript(toMigration: toMigration, options: MigrationsSqlGenerationOptions.Idempotent);
    }
}
