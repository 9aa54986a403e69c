using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Ledger;

/// <summary>
/// Recount from the ledger. PostgreSQL only: the ledger (usage_events) and the row lock the repair shares with the hot
/// path are the PostgreSQL store's; the in-memory store keeps no ledger to recount from.
/// </summary>
public class RecountTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 10, 12, 0);
    private readonly MigratedDatabase _database;

    public RecountTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task Counters_that_match_their_ledger_have_no_discrepancy_whatever_the_operations()
    {
        await using var host = Create(recordAll: true);
        var t = host.Tracker;
        await t.TryConsumeAsync("clean", "images", 2);
        await t.TryConsumeAsync("clean", "images", 5); // refused: 2 + 5 > 3, recorded as denied
        await t.RefundAsync("clean", "images", 5); // clamps at zero
        await t.IncrementAsync("clean", "images", 4);
        await t.SetGaugeAsync("clean", "seats", 7);
        await t.SetGaugeAsync("clean", "seats", 3);
        await t.SetGaugeAsync("clean", "peak", 9);
        await t.SetGaugeAsync("clean", "peak", 4);

        var report = await Recounter(host).RecountAsync(RecountScope.ForSubject("clean"));

        report.CountersChecked.Should().Be(3);
        report.CountersWithoutEvents.Should().Be(0);
        report.Discrepancies.Should().BeEmpty();
    }

    [Fact]
    public async Task A_corrupted_counter_is_reported_expected_against_stored_and_left_alone_without_repair()
    {
        await using var host = Create(recordAll: true);
        await host.Tracker.TryConsumeAsync("corrupt", "images", 2);
        await host.Tracker.IncrementAsync("corrupt", "images", 1);
        await CorruptAsync("corrupt", "images", 40);

        var report = await Recounter(host).RecountAsync(RecountScope.ForSubject("corrupt"));

        var discrepancy = report.Discrepancies.Should().ContainSingle().Which;
        (discrepancy.SubjectId, discrepancy.FeatureKey, discrepancy.Stored, discrepancy.Expected, discrepancy.RepairedTo)
            .Should().Be(("corrupt", "images", 40L, 3L, (long?)null));
        discrepancy.Difference.Should().Be(-37);
        discrepancy.PeriodStart.Should().Be(Instant.FromUtc(2025, 6, 10, 0, 0));
        (await StoredAsync("corrupt", "images")).Should().Be(40);
    }

    [Fact]
    public async Task Repair_sets_the_counter_to_the_ledgers_value_and_a_second_recount_finds_nothing()
    {
        await using var host = Create(recordAll: true);
        await host.Tracker.TryConsumeAsync("repair", "images", 2);
        await CorruptAsync("repair", "images", 0);

        var repaired = await Recounter(host).RecountAsync(RecountScope.ForSubject("repair"), new RecountOptions { Repair = true });
        var again = await Recounter(host).RecountAsync(RecountScope.ForSubject("repair"));

        repaired.Discrepancies.Should().ContainSingle().Which.RepairedTo.Should().Be(2);
        repaired.Repaired.Should().Be(1);
        again.Discrepancies.Should().BeEmpty();
        (await StoredAsync("repair", "images")).Should().Be(2);
        (await host.Tracker.TryConsumeAsync("repair", "images", 2)).Allowed.Should().BeFalse("the repaired counter is enforced again");
    }

    [Fact]
    public async Task The_scope_narrows_the_recount_by_subject_feature_and_period()
    {
        await using var host = Create(recordAll: true);
        await host.Tracker.TryConsumeAsync("scope-a", "images", 1, new UsageOptions { At = Noon - Duration.FromDays(1) });
        await host.Tracker.TryConsumeAsync("scope-a", "images", 1);
        await host.Tracker.SetGaugeAsync("scope-a", "seats", 2);
        await host.Tracker.TryConsumeAsync("scope-b", "images", 1);
        await CorruptAsync("scope-a", "images", 9, Noon - Duration.FromDays(1));
        await CorruptAsync("scope-a", "seats", 9);
        await CorruptAsync("scope-b", "images", 9);
        var recounter = Recounter(host);

        var today = new RecountScope { SubjectId = "scope-a", PeriodsFrom = Noon, PeriodsUntil = Noon + Duration.FromHours(1) };
        var yesterday = RecountScope.ForPeriods(Noon - Duration.FromDays(1), Noon - Duration.FromHours(23)) with { SubjectId = "scope-a" };

        Keys(await recounter.RecountAsync(today)).Should().BeEquivalentTo(["scope-a/seats/2025-06-01T00:00:00Z"]);
        Keys(await recounter.RecountAsync(yesterday)).Should().Equal(
            "scope-a/images/2025-06-09T00:00:00Z", "scope-a/seats/2025-06-01T00:00:00Z"); // the month overlaps yesterday too
        Keys(await recounter.RecountAsync(RecountScope.ForFeature("images") with { SubjectId = "scope-b" }))
            .Should().Equal("scope-b/images/2025-06-10T00:00:00Z");
        Keys(await recounter.RecountAsync(RecountScope.ForSubject("scope-a"))).Should().HaveCount(2);
    }

    [Fact]
    public async Task Counters_written_without_events_are_counted_apart_and_never_reported_or_repaired()
    {
        await using var host = Create(recordAll: false);
        await host.Tracker.TryConsumeAsync("unrecorded", "images", 2);
        await CorruptAsync("unrecorded", "images", 3);

        var report = await Recounter(host).RecountAsync(RecountScope.ForSubject("unrecorded"), new RecountOptions { Repair = true });

        report.CountersWithoutEvents.Should().Be(1);
        report.CountersChecked.Should().Be(0);
        report.Discrepancies.Should().BeEmpty();
        (await StoredAsync("unrecorded", "images")).Should().Be(3);
    }

    [Fact]
    public async Task Applied_events_of_a_deleted_counter_are_reported_as_missing_and_not_recreated()
    {
        await using var host = Create(recordAll: true);
        await host.Tracker.TryConsumeAsync("orphan", "images", 2);
        await using (var delete = _database.DataSource.CreateCommand("DELETE FROM quotakit.usage_counters WHERE subject_id = 'orphan'"))
        {
            await delete.ExecuteNonQueryAsync();
        }

        var report = await Recounter(host).RecountAsync(RecountScope.ForSubject("orphan"), new RecountOptions { Repair = true });

        var missing = report.Discrepancies.Should().ContainSingle().Which;
        (missing.Stored, missing.Expected, missing.RepairedTo).Should().Be(((long?)null, 2L, (long?)null));
        (await StoredAsync("orphan", "images")).Should().BeNull();
    }

    [Fact]
    public async Task Progress_reports_the_counters_checked()
    {
        await using var host = Create(recordAll: true);
        for (var i = 0; i < 5; i++)
        {
            await host.Tracker.TryConsumeAsync($"progress-{i}", "images");
        }

        var seen = new List<long>();
        var progress = new SynchronousProgress(seen.Add);

        await Recounter(host).RecountAsync(
            RecountScope.ForFeature("images") with { PeriodsFrom = Noon, PeriodsUntil = Noon + Duration.FromSeconds(1) },
            new RecountOptions { Progress = progress, ProgressInterval = 2 });

        seen.Should().StartWith([2L, 4L]).And.HaveElementAt(seen.Count - 1, seen.Max());
        seen.Max().Should().BeGreaterThanOrEqualTo(5);
    }

    [Fact]
    public async Task Bad_scopes_are_refused_with_typed_exceptions()
    {
        await using var host = Create(recordAll: true);
        var recounter = Recounter(host);

        await recounter.Invoking(r => r.RecountAsync(RecountScope.ForFeature("videos"))).Should().ThrowAsync<UnknownFeatureException>();
        await recounter.Invoking(r => r.RecountAsync(RecountScope.ForSubject(" "))).Should().ThrowAsync<InvalidSubjectException>();
        await recounter.Invoking(r => r.RecountAsync(RecountScope.ForPeriods(Noon, Noon))).Should().ThrowAsync<ArgumentException>();
        await recounter.Invoking(r => r.RecountAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
    }

    private TrackerUnderTest Create(bool recordAll) => TrackerUnderTest.Build(
        q => q.UseClock(new FakeClock(Noon))
            .AddFeature("images", PeriodPolicy.Day)
            .AddFeature("seats", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
            .AddFeature("peak", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Max)
            .AddPlan("free", p => p.Limit("images", 3).Unlimited("seats").Unlimited("peak"))
            .UseDefaultPlan("free")
            .UsePostgreSql(_database.ConnectionString, o => o.RecordAllEvents = recordAll),
        services => services.AddLogging());

    private static IUsageRecounter Recounter(TrackerUnderTest host) => host.Services.GetRequiredService<IUsageRecounter>();

    private static IEnumerable<string> Keys(RecountReport report) =>
        report.Discrepancies.Select(d => $"{d.SubjectId}/{d.FeatureKey}/{d.PeriodStart}");

    private async Task CorruptAsync(string subject, string feature, long used, Instant? at = null)
    {
        await using var command = _database.DataSource.CreateCommand(
            "UPDATE quotakit.usage_counters SET used = $3 WHERE subject_id = $1 AND feature_key = $2 AND period_start <= $4 AND period_end > $4");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = feature });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = used });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = (at ?? Noon).ToDateTimeUtc() });
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }

    private async Task<long?> StoredAsync(string subject, string feature)
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT used FROM quotakit.usage_counters WHERE subject_id = $1 AND feature_key = $2 AND period_start <= $3 AND period_end > $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = feature });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = Noon.ToDateTimeUtc() });
        return await command.ExecuteScalarAsync() as long?;
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
