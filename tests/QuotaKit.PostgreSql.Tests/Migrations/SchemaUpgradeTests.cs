using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// Databases created by an earlier QuotaKit upgrade: through the shipped migrations, and, for hosts that own QuotaKit's
/// model, through the documented versioned calls with their Down. A database without the schema version this QuotaKit
/// needs fails the host's start with one exception that says what to do.
/// </summary>
public class SchemaUpgradeTests
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);

    [Fact]
    public async Task A_database_migrated_by_0_1_0_upgrades_to_the_schema_of_a_fresh_install()
    {
        await using var upgraded = await TestDatabase.CreateAsync("upgrade_from_010");
        await using var fresh = await TestDatabase.CreateAsync("fresh_install");
        await upgraded.ExecuteAsync(await File.ReadAllTextAsync(FrozenObjectsTests.GoldenScriptPath));
        await using var host = TrackerHost.Create(upgraded.ConnectionString, new FakeClock(Noon), Catalog);
        (await host.Services.GetRequiredService<IQuotaKitMigrator>().GetSchemaVersionAsync()).Should().Be(1);

        await host.Services.ApplyQuotaKitMigrationsAsync();
        await QuotaKitContexts.MigrateAsync(fresh.ConnectionString);

        (await host.Services.GetRequiredService<IQuotaKitMigrator>().GetSchemaVersionAsync()).Should().Be(FrozenObjects.CurrentVersion);
        (await SchemaFingerprint.ReadAsync(upgraded.DataSource)).Should().BeEquivalentTo(await SchemaFingerprint.ReadAsync(fresh.DataSource));
        (await host.Tracker.TryConsumeAsync("upgraded-subject", "images")).Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_host_on_an_empty_database_fails_to_start_saying_there_is_no_schema_and_how_to_apply_it()
    {
        await using var database = await TestDatabase.CreateAsync("verify_empty");
        using var host = BuildHost(database.ConnectionString, applyMigrations: false);

        var start = () => host.StartAsync();

        var failure = (await start.Should().ThrowAsync<QuotaKitSchemaVersionException>()).Which;
        failure.DatabaseVersion.Should().Be(0);
        failure.RequiredVersion.Should().Be(FrozenObjects.CurrentVersion);
        failure.Message.Should().Contain("no QuotaKit schema").And.Contain("ApplyMigrationsAtStartup").And.Contain("AddQuotaKitDatabaseObjects()");
    }

    [Fact]
    public async Task A_host_on_a_0_1_0_database_fails_to_start_naming_both_versions_and_the_upgrade_call()
    {
        await using var database = await TestDatabase.CreateAsync("verify_010");
        await database.ExecuteAsync(await File.ReadAllTextAsync(FrozenObjectsTests.GoldenScriptPath));
        using var host = BuildHost(database.ConnectionString, applyMigrations: false);

        var start = () => host.StartAsync();

        var failure = (await start.Should().ThrowAsync<QuotaKitSchemaVersionException>()).Which;
        failure.DatabaseVersion.Should().Be(1);
        failure.Message.Should().Contain("version 1").And.Contain($"needs version {FrozenObjects.CurrentVersion}")
            .And.Contain("UpgradeQuotaKitDatabaseObjects(n) for each version n from 2");
    }

    [Fact]
    public async Task A_host_whose_database_is_unreachable_at_start_up_still_starts()
    {
        // Nothing listens on port 1: the app starts, answers 503s through its gate, and its health check reports it.
        using var host = BuildHost("Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2", applyMigrations: false);

        await host.StartAsync();

        await host.StopAsync();
    }

    [Fact]
    public async Task A_host_that_applies_migrations_at_start_up_upgrades_a_0_1_0_database_and_starts()
    {
        await using var database = await TestDatabase.CreateAsync("startup_upgrade_010");
        await database.ExecuteAsync(await File.ReadAllTextAsync(FrozenObjectsTests.GoldenScriptPath));
        using var host = BuildHost(database.ConnectionString, applyMigrations: true);

        await host.StartAsync();

        (await host.Services.GetRequiredService<IQuotaKitMigrator>().GetSchemaVersionAsync()).Should().Be(FrozenObjects.CurrentVersion);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_host_owned_context_upgrades_and_downgrades_through_the_documented_calls()
    {
        await using var database = await TestDatabase.CreateAsync("host_owned_upgrade");
        await using var context = new HostOwnedContext(database.ConnectionString);
        var migrator = () => TrackerHost.Create(database.ConnectionString, new FakeClock(Noon), Catalog).Services.GetRequiredService<IQuotaKitMigrator>();

        // The host's first migration (written when it adopted QuotaKit 0.1.0), then the ones it adds for 0.2.0.
        await HostMigrations.ExecuteAsync(context, HostMigrations.ModelOperations(context).AddQuotaKitDatabaseObjects());
        (await migrator().GetSchemaVersionAsync()).Should().Be(1);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(2));
        (await migrator().GetSchemaVersionAsync()).Should().Be(2);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(3));
        (await migrator().GetSchemaVersionAsync()).Should().Be(3);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(4));
        (await migrator().GetSchemaVersionAsync()).Should().Be(4);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(5).UpgradeQuotaKitDatabaseObjects(6));
        (await migrator().GetSchemaVersionAsync()).Should().Be(6);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(7));
        (await migrator().GetSchemaVersionAsync()).Should().Be(7);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).UpgradeQuotaKitDatabaseObjects(8));
        (await migrator().GetSchemaVersionAsync()).Should().Be(8);
        await migrator().VerifySchemaAsync();
        await using (var host = TrackerHost.Create(database.ConnectionString, new FakeClock(Noon), Catalog))
        {
            (await host.Tracker.TryConsumeAsync("host-owned", "images")).Allowed.Should().BeTrue();
        }

        // Down, newest first; within a Down, QuotaKit's objects go before the tables they live on.
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(8));
        (await migrator().GetSchemaVersionAsync()).Should().Be(7);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(7));
        (await migrator().GetSchemaVersionAsync()).Should().Be(6);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(6).DowngradeQuotaKitDatabaseObjects(5));
        (await migrator().GetSchemaVersionAsync()).Should().Be(4);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(4));
        (await migrator().GetSchemaVersionAsync()).Should().Be(3);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(3));
        (await migrator().GetSchemaVersionAsync()).Should().Be(2);
        await HostMigrations.ExecuteAsync(context, NewMigration(context).DowngradeQuotaKitDatabaseObjects(2));
        (await migrator().GetSchemaVersionAsync()).Should().Be(1);
        var firstDown = NewMigration(context).DropQuotaKitDatabaseObjects();
        firstDown.Operations.AddRange(HostMigrations.ModelOperations(context, down: true).Operations);
        await HostMigrations.ExecuteAsync(context, firstDown);
        (await migrator().GetSchemaVersionAsync()).Should().Be(0);
        (await SchemaFingerprint.ReadAsync(database.DataSource)).Tables.Should().BeEmpty();
    }

    [Fact]
    public async Task Applying_the_shipped_migrations_to_a_host_owned_schema_is_refused_naming_the_rule_and_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("host_owned_then_shipped");
        await using (var context = new HostOwnedContext(database.ConnectionString))
        {
            await HostMigrations.ExecuteAsync(
                context, HostMigrations.ModelOperations(context).AddQuotaKitDatabaseObjects().UpgradeQuotaKitDatabaseObjects(2).UpgradeQuotaKitDatabaseObjects(3).UpgradeQuotaKitDatabaseObjects(4)
                .UpgradeQuotaKitDatabaseObjects(5).UpgradeQuotaKitDatabaseObjects(6).UpgradeQuotaKitDatabaseObjects(7)
                .UpgradeQuotaKitDatabaseObjects(8));
        }

        var before = await SchemaFingerprint.ReadAsync(database.DataSource);
        await using var host = TrackerHost.Create(database.ConnectionString, new FakeClock(Noon), Catalog);

        var migrate = () => host.Services.ApplyQuotaKitMigrationsAsync();

        (await migrate.Should().ThrowAsync<QuotaConfigurationException>()).Which.Message
            .Should().Contain("owns QuotaKit's model").And.Contain("One database has one owner").And.Contain("Nothing was changed");
        (await SchemaFingerprint.ReadAsync(database.DataSource)).Should().BeEquivalentTo(before, "no empty history table is left behind");
    }

    [Fact]
    public void An_unknown_schema_version_is_refused_naming_the_versions_there_are()
    {
        var migration = new MigrationBuilder("Npgsql.EntityFrameworkCore.PostgreSQL");

        var upgrade = () => migration.UpgradeQuotaKitDatabaseObjects(FrozenObjects.CurrentVersion + 1);
        var downgrade = () => migration.DowngradeQuotaKitDatabaseObjects(0);

        upgrade.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*versions 1 to {FrozenObjects.CurrentVersion}*");
        downgrade.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*versions 1 to {FrozenObjects.CurrentVersion}*");
        migration.Operations.Should().BeEmpty("nothing is half-written");
    }

    private static void Catalog(QuotaKitBuilder quota) => quota
        .AddFeature("images", PeriodPolicy.Day)
        .AddPlan("free", p => p.Limit("images", 3))
        .UseDefaultPlan("free");

    private static MigrationBuilder NewMigration(DbContext context) => new(context.Database.ProviderName);

    private static IHost BuildHost(string connectionString, bool applyMigrations)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddQuotaKit(Catalog).UsePostgreSql(connectionString, o => o.ApplyMigrationsAtStartup = applyMigrations);
        return builder.Build();
    }

    private sealed class HostOwnedContext(string connectionString) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyQuotaKitModel();
    }
}
