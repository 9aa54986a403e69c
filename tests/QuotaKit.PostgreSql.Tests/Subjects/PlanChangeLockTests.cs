using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Subjects;

/// <summary>
/// A plan change is judged against the plan stored when it holds the subject's row lock, not against one it read
/// before another change committed. Forced: this test holds the row, lets the tracker's change start, then changes the
/// plan itself; the tracker's change must wait before it reads, find the plan already changed, and apply no rule.
/// </summary>
public sealed class PlanChangeLockTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);
    private readonly string _subject = $"plan-lock-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_plan_change_waiting_on_another_is_judged_against_the_plan_that_one_stored()
    {
        await using var host = TrackerHost.Create(database.ConnectionString, new FakeClock(Noon), q => q
            .AddFeature("renders", PeriodPolicy.Day, f => f.OnUpgrade = PlanChangeRule.Reset)
            .AddPlan("basic", p => p.Limit("renders", 10))
            .AddPlan("pro", p => p.Limit("renders", 100))
            .UseDefaultPlan("basic"));
        await host.Admin.SetPlanAsync(_subject, "basic");
        await host.Tracker.TryConsumeAsync(_subject, "renders", 5);

        // Another administrator holds the subject's row (locked, not yet changed) while the tracker's change starts, then
        // upgrades the plan itself and commits. A change that read the plan without waiting for the row would have seen
        // "basic", judged its own change an upgrade, and reset after the other committed.
        await using var other = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await ExecuteAsync(other, transaction, "SELECT 1 FROM quotakit.subjects WHERE subject_id = $1 FOR UPDATE");

        var change = host.Admin.SetPlanAsync(_subject, "pro");
        await WaitUntilBlockedAsync();
        await ExecuteAsync(other, transaction, "UPDATE quotakit.subjects SET plan_key = 'pro' WHERE subject_id = $1");
        await transaction.CommitAsync();
        await change;

        var after = await host.Tracker.TryConsumeAsync(_subject, "renders");
        after.Used.Should().Be(6, "the plan was pro when the change could look: pro to pro is no upgrade, nothing is reset");
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _subject });
        await command.ExecuteNonQueryAsync();
    }

    // Until a session of the tracker waits on a lock (the subject's row, held by this test's transaction). Bounded: 30 s.
    private async Task WaitUntilBlockedAsync()
    {
        await using var probe = database.DataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((long)(await probe.ExecuteScalarAsync())! == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the tracker's plan change reaches the held row within seconds");
            await Task.Delay(10);
        }
    }
}
