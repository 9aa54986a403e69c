using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Model;

/// <summary>A host keeps QuotaKit's tables in its own DbContext and migrations; the tracker works on what it created.</summary>
public class HostDbContextTests : IClassFixture<FreshDatabase>
{
    private readonly FreshDatabase _database;

    public HostDbContextTests(FreshDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_host_context_with_ApplyQuotaKitModel_creates_QuotaKits_tables_the_tracker_can_use()
    {
        await using var context = new HostDbContext(_database.ConnectionString);
        await context.Database.EnsureCreatedAsync(); // stands in for the host's own migrations
        await HostMigrations.ExecuteAsync(context, new MigrationBuilder(context.Database.ProviderName).AddQuotaKitDatabaseObjects().UpgradeQuotaKitDatabaseObjects(2).UpgradeQuotaKitDatabaseObjects(3).UpgradeQuotaKitDatabaseObjects(4)
                .UpgradeQuotaKitDatabaseObjects(5).UpgradeQuotaKitDatabaseObjects(6).UpgradeQuotaKitDatabaseObjects(7)
                .UpgradeQuotaKitDatabaseObjects(8));

        await using var host = TrackerHost.Create(_database.ConnectionString, new QuotaKit.Testing.FakeClock(Instant.FromUtc(2025, 6, 1, 12, 0)), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 2))
            .UseDefaultPlan("free"));
        var decisions = new List<UsageDecision>();
        for (var i = 0; i < 3; i++)
        {
            decisions.Add(await host.Tracker.TryConsumeAsync("host-subject", "images"));
        }

        decisions.Select(d => d.Allowed).Should().Equal(true, true, false);
        (await context.Invoices.CountAsync()).Should().Be(0, "the host's own tables live beside QuotaKit's");
        context.Model.FindEntityType(typeof(UsageCounter))!.GetSchema().Should().Be("quotakit");
    }

    private sealed class HostDbContext(string connectionString) : DbContext
    {
        public DbSet<Invoice> Invoices => Set<Invoice>();

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Invoice>().ToTable("invoices", "billing");
            modelBuilder.ApplyQuotaKitModel();
        }
    }

    private sealed class Invoice
    {
        public int Id { get; set; }

        public decimal Total { get; set; }
    }
}
