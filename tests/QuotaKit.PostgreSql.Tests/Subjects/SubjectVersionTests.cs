using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.PostgreSql.Tests.Migrations;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Subjects;

/// <summary>
/// Every write verifies the version of the subject context it was worked out from (schema version 3), so a context
/// cached by one instance never enforces a limit another instance, or a SQL console, has changed; and a subject that is
/// not cached costs one round trip when nothing is stored for it, two when its guessed context was wrong. These
/// instances run without a host, so nothing is pushed to them: only the version check can make them see a change.
/// </summary>
public sealed class SubjectVersionTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);

    private readonly MigratedDatabase _database;
    private readonly FakeClock _clock = new(Noon);

    public SubjectVersionTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public async Task A_plan_upgraded_by_another_instance_is_enforced_by_the_next_write_of_an_instance_that_cached_the_old_one()
    {
        const string subject = "upgraded-elsewhere";
        await using var a = Instance();
        await using var b = Instance();
        await ConsumeAsync(b, subject, 3);
        (await b.Tracker.TryConsumeAsync(subject, "images")).Outcome.Should().Be(UsageOutcome.LimitExceeded, "free allows 3");

        await a.Admin.SetPlanAsync(subject, "pro");
        var next = await b.Tracker.TryConsumeAsync(subject, "images");

        (next.Outcome, next.Used, next.Limit).Should().Be((UsageOutcome.Allowed, 4L, FeatureLimit.Hard(100)));
    }

    [Fact]
    public async Task A_plan_downgraded_by_another_instance_is_enforced_by_the_next_write_of_an_instance_that_cached_the_old_one()
    {
        const string subject = "downgraded-elsewhere";
        await using var a = Instance();
        await using var b = Instance();
        await a.Admin.SetPlanAsync(subject, "pro");
        await ConsumeAsync(b, subject, 5);

        await a.Admin.SetPlanAsync(subject, "free");
        var next = await b.Tracker.TryConsumeAsync(subject, "images");

        (next.Outcome, next.Used, next.Limit).Should().Be((UsageOutcome.LimitExceeded, 5L, FeatureLimit.Hard(3)));
    }

    [Fact]
    public async Task A_grant_added_by_another_instance_counts_at_the_next_write()
    {
        const string subject = "granted-elsewhere";
        await using var a = Instance();
        await using var b = Instance();
        await ConsumeAsync(b, subject, 3);

        await a.Admin.AddGrantAsync(subject, "images", 2, Noon - Duration.FromHours(1), Noon + Duration.FromHours(1));
        var next = await b.Tracker.TryConsumeAsync(subject, "images");

        (next.Outcome, next.Used, next.Limit).Should().Be((UsageOutcome.Allowed, 4L, FeatureLimit.Hard(5)));
    }

    [Fact]
    public async Task An_override_written_by_hand_in_SQL_counts_at_the_next_write_and_an_override_removed_by_hand_too()
    {
        const string subject = "overridden-in-sql";
        await using var b = Instance();
        await ConsumeAsync(b, subject, 3);

        await ExecuteAsync(
            "INSERT INTO quotakit.subject_limit_overrides (subject_id, feature_key, limit_value, is_disabled, is_soft, created_at, updated_at) " +
            "VALUES ($1, 'images', 10, false, false, now(), now())", subject);
        var raised = await b.Tracker.TryConsumeAsync(subject, "images");
        await ExecuteAsync("DELETE FROM quotakit.subject_limit_overrides WHERE subject_id = $1", subject);
        var lowered = await b.Tracker.TryConsumeAsync(subject, "images");

        (raised.Outcome, raised.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(10)));
        (lowered.Outcome, lowered.Used, lowered.Limit).Should().Be((UsageOutcome.LimitExceeded, 4L, FeatureLimit.Hard(3)));
    }

    [Fact]
    public async Task A_subject_that_is_not_cached_costs_one_round_trip_when_nothing_is_stored_for_it_and_two_when_it_has_a_plan()
    {
        await using var a = Instance();
        await a.Admin.SetPlanAsync("stored-plan", "pro");
        await using var b = Instance();
        using var roundTrips = new RoundTripRecorder(_database.ConnectionString);
        await b.Tracker.TryConsumeAsync("warm-the-pool", "images");

        var unstored = await roundTrips.CountAsync(() => b.Tracker.TryConsumeAsync("nothing-stored", "images"));
        var unstoredAgain = await roundTrips.CountAsync(() => b.Tracker.TryConsumeAsync("nothing-stored", "images"));
        UsageDecision? first = null;
        var stored = await roundTrips.CountAsync(async () => first = await b.Tracker.TryConsumeAsync("stored-plan", "images"));
        var storedAgain = await roundTrips.CountAsync(() => b.Tracker.TryConsumeAsync("stored-plan", "images"));

        (unstored, unstoredAgain, stored, storedAgain).Should().Be((1L, 1L, 2L, 1L));
        first!.Limit.Should().Be(FeatureLimit.Hard(100), "the guessed defaults (free) were corrected by the stored plan");
    }

    [Fact]
    public async Task Subjects_stored_before_the_upgrade_keep_their_plans_and_overrides_for_writes_that_guess()
    {
        await using var database = await TestDatabase.CreateAsync("subject_version_upgrade");
        await database.ExecuteAsync(await File.ReadAllTextAsync(FrozenObjectsTests.GoldenScriptPath));
        await database.ExecuteAsync(
            """
            INSERT INTO quotakit.subjects (subject_id, plan_key, created_at, updated_at) VALUES ('on-pro', 'pro', now(), now());
            INSERT INTO quotakit.subject_limit_overrides (subject_id, feature_key, limit_value, is_disabled, is_soft, created_at, updated_at)
            VALUES ('override-only', 'images', 50, false, false, now(), now());
            """);

        await using var host = TrackerHost.Create(database.ConnectionString, _clock, TwoPlans.Declare);
        await host.Services.ApplyQuotaKitMigrationsAsync();
        await using var fresh = TrackerHost.Create(database.ConnectionString, _clock, TwoPlans.Declare);

        // The first write of each is made with the guessed defaults (free: 3), which must be refused and corrected.
        var onPro = await fresh.Tracker.TryConsumeAsync("on-pro", "images", 4);
        var overrideOnly = await fresh.Tracker.TryConsumeAsync("override-only", "images", 4);

        (onPro.Outcome, onPro.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(100)));
        (overrideOnly.Outcome, overrideOnly.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(50)));
    }

    private TrackerUnderTest Instance() => TrackerHost.Create(_database.ConnectionString, _clock, TwoPlans.Declare);

    private static async Task ConsumeAsync(TrackerUnderTest instance, string subject, int times)
    {
        for (var i = 0; i < times; i++)
        {
            (await instance.Tracker.TryConsumeAsync(subject, "images")).Allowed.Should().BeTrue($"call {i + 1} of {times} is within the limit");
        }
    }

    private async Task ExecuteAsync(string sql, string subject)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
        await command.ExecuteNonQueryAsync();
    }
}
