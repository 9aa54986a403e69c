using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reports;

/// <summary>The report objects follow configuration: created when migrations are applied, renamed without a migration.</summary>
public class ReportObjectsLifecycleTests
{
    [Fact]
    public async Task Renaming_or_adding_a_column_recreates_the_view_when_migrations_are_applied_again_with_no_migration_pending()
    {
        await using var database = await TestDatabase.CreateAsync("report_rename");
        var connectionString = database.ConnectionString;
        await using (var first = TrackerHost.Create(connectionString, SystemClock.Instance, q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column("images_generated"))
            .AddPlan("free", p => p.Limit("images", 3)).UseDefaultPlan("free")))
        {
            await first.Services.ApplyQuotaKitMigrationsAsync();
            await first.Tracker.TryConsumeAsync("u1", "images");
        }

        await using var second = TrackerHost.Create(connectionString, SystemClock.Instance, q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column("pictures"))
            .AddFeature("sms", PeriodPolicy.Month, f => f.Column())
            .AddPlan("free", p => p.Limit("images", 5).Limit("sms", 10)).UseDefaultPlan("free"));
        (await second.Services.GetRequiredService<IQuotaKitMigrator>().GetPendingMigrationsAsync()).Should().BeEmpty();
        await second.Services.ApplyQuotaKitMigrationsAsync();

        await using var command = database.DataSource.CreateCommand("SELECT * FROM quotakit.feature_usage");
        await using var reader = await command.ExecuteReaderAsync();
        Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).Should().Equal(
            "subject_id", "plan_key", "pictures", "pictures_limit", "pictures_remaining", "sms", "sms_limit", "sms_remaining");
        (await reader.ReadAsync()).Should().BeTrue();
        (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(5), reader.GetInt64(6)).Should().Be((1L, 5L, 0L, 10L),
            "the new plan limits from configuration are in the new view");
    }

    [Fact]
    public async Task Invalid_columns_fail_the_migration_before_anything_is_written()
    {
        await using var database = await TestDatabase.CreateAsync("report_invalid");
        var connectionString = database.ConnectionString;
        await using var host = TrackerHost.Create(connectionString, SystemClock.Instance, q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column("images"))
            .AddFeature("images_limit", PeriodPolicy.Day, f => f.Column())
            .AddPlan("free", p => p.Limit("images", 3)));

        var act = () => host.Services.ApplyQuotaKitMigrationsAsync();

        (await act.Should().ThrowAsync<FeatureColumnException>()).Which.Problems.Should().ContainSingle()
            .Which.Kind.Should().Be(FeatureColumnProblemKind.Collision);
        await using var command = database.DataSource.CreateCommand("SELECT to_regnamespace('quotakit') IS NULL");
        ((bool)(await command.ExecuteScalarAsync())!).Should().BeTrue("nothing was migrated");
    }

    [Fact]
    public async Task The_view_does_not_block_migrating_QuotaKits_tables_down_and_up_again()
    {
        await using var database = await TestDatabase.CreateAsync("report_down");
        var connectionString = database.ConnectionString;
        await using var host = TrackerHost.Create(connectionString, new FakeClock(Instant.FromUtc(2025, 6, 1, 0, 0)), q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column())
            .AddPlan("free", p => p.Limit("images", 3)));
        await host.Services.ApplyQuotaKitMigrationsAsync();
        var reports = host.Services.GetRequiredService<IQuotaKitReports>();

        await reports.DropReportObjectsAsync();
        await using (var context = QuotaKitContexts.Create(connectionString))
        {
            await context.Database.MigrateAsync("0");
        }

        await host.Services.ApplyQuotaKitMigrationsAsync();
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM quotakit.feature_usage");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
    }
}
