using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Reports;

public class FeatureUsageViewTests : IClassFixture<ReportScenario>
{
    // subject, plan, then used, limit and remaining of images_generated, trial_credits, voice_seconds (by feature key)
    private static readonly (string Subject, string? Plan, long?[] Values)[] Expected =
    [
        ("alice", "pro", [2, 100, 98, 0, 0, 0, 30, null, null]),
        ("bob", null, [0, 3, 3, 4, 10, 6, 0, 600, 600]),
        ("carol", "free", [6, 7, 1, 0, 10, 10, 0, 600, 600]),
        ("dave", "free", [40, null, null, 0, 10, 10, 0, 0, 0]),
        ("erin", null, [3, 3, 0, 0, 10, 10, 0, 600, 600]),
        ("frank", null, [1, 3, 2, 0, 10, 10, 0, 600, 600]),
        ("henry", "free", [3, 0, 0, 0, 10, 10, 0, 600, 600]),
    ];

    private static readonly string[] FeatureColumns =
    [
        "images_generated", "images_generated_limit", "images_generated_remaining",
        "trial_credits", "trial_credits_limit", "trial_credits_remaining",
        "voice_seconds", "voice_seconds_limit", "voice_seconds_remaining",
    ];

    private readonly ReportScenario _scenario;

    public FeatureUsageViewTests(ReportScenario scenario)
    {
        _scenario = scenario;
    }

    [Fact]
    public async Task The_view_has_one_row_per_subject_with_each_features_current_period_side_by_side()
    {
        var rows = await ReadViewAsync("SELECT * FROM quotakit.feature_usage ORDER BY subject_id");

        rows.Should().BeEquivalentTo(Expected.Select(e => (e.Subject, e.Plan, e.Values)), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task The_view_has_exactly_the_declared_columns_in_order()
    {
        await using var command = _scenario.DataSource.CreateCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'quotakit' AND table_name = 'feature_usage' ORDER BY ordinal_position");
        var columns = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
        }

        columns.Should().Equal(["subject_id", "plan_key", .. FeatureColumns]);
    }

    [Fact]
    public async Task One_subjects_row_is_found_by_its_id_without_the_others()
    {
        var rows = await ReadViewAsync("SELECT * FROM quotakit.feature_usage WHERE subject_id = 'carol'");

        rows.Should().ContainSingle().Which.Values.Should().Equal(Expected[2].Values);
    }

    [Fact]
    public async Task LINQ_on_QuotaKitDbContext_reads_the_same_rows_and_filters_on_a_feature_column_in_SQL()
    {
        var factory = _scenario.Host.Services.GetRequiredService<IDbContextFactory<QuotaKitDbContext>>();
        await using var context = await factory.CreateDbContextAsync();

        var all = await context.FeatureUsage.OrderBy(r => r.SubjectId).ToListAsync();
        var atLimit = context.FeatureUsage
            .Where(r => EF.Property<long?>(r, "images_generated_remaining") == 0)
            .Select(r => r.SubjectId);

        all.Select(r => (r.SubjectId, r.PlanKey, FeatureColumns.Select(c => (long?)r[c]).ToArray()))
            .Should().BeEquivalentTo(Expected.Select(e => (e.Subject, e.Plan, e.Values)), o => o.WithStrictOrdering());
        all[2].Used("images_generated").Should().Be(6);
        all[2].Limit("images_generated").Should().Be(7);
        all[2].Remaining("images_generated").Should().Be(1);
        atLimit.ToQueryString().Should().Contain("images_generated_remaining");
        (await atLimit.ToListAsync()).Should().BeEquivalentTo("erin", "henry"); // henry: disabled, so nothing remains
    }

    [Fact]
    public async Task LINQ_on_a_host_owned_context_reads_the_same_rows()
    {
        var options = _scenario.Host.Services.GetRequiredService<IOptions<QuotaKitOptions>>().Value;
        await using var context = new HostContext(_scenario.ConnectionString, options);

        var bob = await context.Set<FeatureUsageRow>().SingleAsync(r => r.SubjectId == "bob");

        FeatureColumns.Select(c => (long?)bob[c]).Should().Equal(Expected[1].Values);
        context.Model.FindEntityType(typeof(FeatureUsageRow))!.GetViewName().Should().Be("feature_usage");
    }

    [Fact]
    public async Task The_model_with_report_columns_has_no_pending_changes_and_no_migration_operation_for_the_view()
    {
        var options = _scenario.Host.Services.GetRequiredService<IOptions<QuotaKitOptions>>().Value;
        var builder = new DbContextOptionsBuilder<QuotaKitDbContext>();
        builder.UseQuotaKitPostgreSql(_scenario.ConnectionString).UseQuotaKitReports(options);
        await using var context = new QuotaKitDbContext(builder.Options);
        await using var host = new HostContext(_scenario.ConnectionString, options);

        context.Model.FindEntityType(typeof(FeatureUsageRow))!.GetProperties().Should().HaveCount(2 + FeatureColumns.Length);
        context.Database.HasPendingModelChanges().Should().BeFalse();
        HostMigrations.ModelOperations(host).Operations.Should().NotContain(o => o.ToString()!.Contains("feature_usage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_context_built_without_report_columns_keeps_its_own_model()
    {
        // EF caches one model per context type; the columns are part of QuotaKit's cache key.
        await using var plain = QuotaKitContexts.Create(_scenario.ConnectionString);
        var factory = _scenario.Host.Services.GetRequiredService<IDbContextFactory<QuotaKitDbContext>>();
        await using var configured = await factory.CreateDbContextAsync();

        plain.Model.FindEntityType(typeof(FeatureUsageRow))!.GetProperties().Should().HaveCount(2);
        configured.Model.FindEntityType(typeof(FeatureUsageRow))!.GetProperties().Should().HaveCount(2 + FeatureColumns.Length);
        (await plain.FeatureUsage.CountAsync()).Should().Be(Expected.Length);
    }

    private async Task<List<(string Subject, string? Plan, long?[] Values)>> ReadViewAsync(string sql)
    {
        await using var command = _scenario.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string?, long?[])>();
        while (await reader.ReadAsync())
        {
            rows.Add((
                reader.GetString(reader.GetOrdinal("subject_id")),
                reader.IsDBNull(reader.GetOrdinal("plan_key")) ? null : reader.GetString(reader.GetOrdinal("plan_key")),
                FeatureColumns.Select(c => reader.IsDBNull(reader.GetOrdinal(c)) ? (long?)null : reader.GetInt64(reader.GetOrdinal(c))).ToArray()));
        }

        return rows;
    }

    private sealed class HostContext(string connectionString, QuotaKitOptions options) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Invoice>().ToTable("invoices", "billing");
            modelBuilder.ApplyQuotaKitModel().ApplyQuotaKitReportModel(options);
        }
    }

    private sealed class Invoice
    {
        public int Id { get; set; }
    }
}
