using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Import;

public class ImportTests
{
    private static readonly Dictionary<string, string> WideColumns = new() { ["images_generated"] = "images", ["voice_seconds"] = "voice_seconds" };
    private static readonly ImportOptions Apply = new() { Apply = true, KnownSubjects = ("public.users", "id") };

    [Fact]
    public async Task A_wide_table_is_a_dry_run_by_default_reporting_counters_and_each_skipped_row_with_its_reason()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_wide_dry");
        await SeedWideAsync(fixture);
        var source = new WideTableSource("public.feature_usage", "user_id", "period", WideColumns, ZoneColumn: "timezone");

        var report = await fixture.Importer.ImportAsync(source, new ImportOptions { KnownSubjects = ("public.users", "id") });

        report.Applied.Should().BeFalse();
        report.RowsRead.Should().Be(8);
        report.CountersToWrite.Should().Be(4);
        report.CountersWritten.Should().Be(0);
        report.Skipped.Select(s => (s.SubjectId, Reason(s.Reason))).Should().BeEquivalentTo(new[]
        {
            ("carol", "spans QuotaKit's periods"),
            ("dave", "is not 'YYYY-MM' or 'YYYY-MM-DD'"),
            ("erin", "is negative"),
            ("frank", "is missing (NULL)"),
            ("mallory", "unknown user 'mallory'"),
        });
        (await fixture.CountersAsync()).Should().BeEmpty("a dry run writes nothing");
    }

    [Fact]
    public async Task Applying_a_wide_table_writes_QuotaKits_periods_and_a_second_run_changes_nothing()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_wide_apply");
        await SeedWideAsync(fixture);
        var source = new WideTableSource("public.feature_usage", "user_id", "period", WideColumns, ZoneColumn: "timezone");

        var first = await fixture.Importer.ImportAsync(source, Apply);
        var afterFirst = await fixture.CountersAsync();
        var second = await fixture.Importer.ImportAsync(source, Apply);

        first.CountersWritten.Should().Be(4);
        afterFirst.Should().Equal(
            "alice/images/2025-06-10T00:00=2",
            "alice/images/2025-06-11T00:00=1",
            "alice/voice_seconds/2025-06-01T00:00=70", // two daily rows add up in the month
            "bob/images/2025-06-09T14:00=3"); // bob's day in Melbourne, his zone in QuotaKit
        second.CountersWritten.Should().Be(0);
        second.CountersToWrite.Should().Be(0);
        second.AlreadyImported.Should().Be(4);
        second.Conflicts.Should().BeEmpty();
        (await fixture.CountersAsync()).Should().Equal(afterFirst);
        (await fixture.Host.Tracker.TryConsumeAsync("alice", "images", 2)).Allowed.Should().BeTrue("1 of 3 used today after the import");
        (await fixture.Host.Tracker.TryConsumeAsync("alice", "images")).Allowed.Should().BeFalse("the imported usage counts against the limit");
    }

    [Fact]
    public async Task A_counters_table_lands_in_QuotaKits_periods_and_a_counter_QuotaKit_holds_differently_is_a_conflict_never_overwritten()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_counters");
        await fixture.ExecuteAsync("""
            INSERT INTO public.usage_counters VALUES
              ('alice', 'sms', '2025-06-01T00:00Z', '2025-07-01T00:00Z', 12),
              ('alice', 'image', '2025-06-10T00:00Z', '2025-06-11T00:00Z', 2),
              ('alice', 'image', '2025-06-10T00:00Z', '2025-06-12T00:00Z', 5),
              ('bob', 'video', '2025-06-10T00:00Z', '2025-06-11T00:00Z', 1),
              ('bob', 'sms', '2025-06-10T00:00Z', '2025-06-10T00:00Z', 1),
              ('gina', 'image', '2025-06-11T00:00Z', '2025-06-12T00:00Z', 2);
            """);
        await fixture.Host.Tracker.TryConsumeAsync("gina", "images"); // QuotaKit already counts 1 for gina today
        var source = new CounterTableSource("public.usage_counters", "user_id", "feature", "period_start", "period_end", "count",
            new Dictionary<string, string> { ["sms"] = "sms_segments", ["image"] = "images" });

        var report = await fixture.Importer.ImportAsync(source, Apply);

        report.CountersWritten.Should().Be(2);
        report.Conflicts.Should().ContainSingle().Which.Should().Be(
            new ImportConflict("gina", "images", Instant.FromUtc(2025, 6, 11, 0, 0), 2, 1));
        report.Skipped.Select(s => Reason(s.Reason)).Should().BeEquivalentTo(
            "spans QuotaKit's periods", "'video' is not in the column map", "is empty or reversed");
        (await fixture.CountersAsync()).Should().Equal(
            "alice/images/2025-06-10T00:00=2", "alice/sms_segments/2025-06-01T00:00=12", "gina/images/2025-06-11T00:00=1");
    }

    [Fact]
    public async Task Event_logs_count_one_per_row_or_their_amount_column_per_QuotaKit_period()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_events");
        await fixture.ExecuteAsync("""
            INSERT INTO public.image_generation_log (user_id, prompt, created_at) VALUES
              ('alice', 'a cat', '2025-06-10T08:00Z'), ('alice', 'a dog', '2025-06-10T23:59:59Z'), ('alice', 'a fox', '2025-06-11T00:00Z'),
              (NULL, 'orphan', '2025-06-10T09:00Z');
            INSERT INTO public.sms_usage (user_id, segments, sent_at) VALUES
              ('bob', 2, '2025-05-31T23:00Z'), ('bob', 3, '2025-06-01T00:00Z'), ('bob', 4, '2025-06-30T23:59Z');
            """);

        var images = await fixture.Importer.ImportAsync(new EventLogSource("image_generation_log", "user_id", "created_at", "images"), Apply);
        var sms = await fixture.Importer.ImportAsync(new EventLogSource("sms_usage", "user_id", "sent_at", "sms_segments", "segments"), Apply);

        images.Skipped.Should().ContainSingle().Which.Reason.Should().Be("the user id is missing");
        sms.CountersWritten.Should().Be(2);
        (await fixture.CountersAsync()).Should().Equal(
            "alice/images/2025-06-10T00:00=2", "alice/images/2025-06-11T00:00=1",
            "bob/sms_segments/2025-05-01T00:00=2", "bob/sms_segments/2025-06-01T00:00=7");
    }

    [Fact]
    public async Task A_plans_table_anchors_billing_cycles_on_the_reset_date_so_usage_continues_from_the_imported_counters()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_plans");
        await fixture.ExecuteAsync("""
            INSERT INTO public.user_plans VALUES
              ('alice', 'free', 7, 100, '2025-07-05'),
              ('bob', 'free', 1, 0, '2025-07-20'),
              ('carol', 'free', 2, 0, '2025-07-01');
            """);
        await fixture.Host.Admin.SetBillingAnchorAsync("bob", Instant.FromUtc(2025, 1, 2, 0, 0)); // cycles from the 2nd: misaligned
        var source = new PlansTableSource("user_plans", "user_id", "usage_reset_date",
            new Dictionary<string, string> { ["images_used"] = "plan_images", ["voice_seconds_used"] = "plan_voice" });

        var dryRun = await fixture.Importer.ImportAsync(source);
        var applied = await fixture.Importer.ImportAsync(source, Apply);
        var again = await fixture.Importer.ImportAsync(source, Apply);

        dryRun.CountersToWrite.Should().Be(3);
        (await fixture.Host.Admin.GetSubjectAsync("carol")).BillingAnchor.Should().Be(Instant.FromUtc(2025, 6, 1, 0, 0));
        applied.Skipped.Should().ContainSingle().Which.Should().Match<SkippedRow>(s => s.SubjectId == "bob" && s.Reason.Contains("spans", StringComparison.Ordinal));
        (await fixture.CountersAsync()).Should().Equal(
            "alice/plan_images/2025-06-05T00:00=7", "alice/plan_voice/2025-06-05T00:00=100", "carol/plan_images/2025-06-01T00:00=2");
        again.AlreadyImported.Should().Be(3);
        again.CountersWritten.Should().Be(0);
        (await fixture.Host.Admin.GetSubjectAsync("alice")).BillingAnchor.Should().Be(Instant.FromUtc(2025, 6, 5, 0, 0));
        var decision = await fixture.Host.Tracker.TryConsumeAsync("alice", "plan_images");
        decision.Used.Should().Be(8, "the tracker continues the imported cycle");
    }

    [Fact]
    public async Task Large_sources_are_written_in_batches_with_progress()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_batches");
        await fixture.ExecuteAsync("""
            INSERT INTO public.users SELECT 'user-' || i, 'x' FROM generate_series(1, 50) AS i;
            INSERT INTO public.image_generation_log (user_id, created_at)
            SELECT 'user-' || (i % 50 + 1), '2025-06-10T00:00Z'::timestamptz + (i % 3) * interval '1 day' FROM generate_series(1, 3000) AS i;
            """);
        var progress = new List<ImportProgress>();

        var report = await fixture.Importer.ImportAsync(new EventLogSource("image_generation_log", "user_id", "created_at", "images"),
            new ImportOptions { Apply = true, BatchSize = 40, Progress = new SynchronousProgress(progress.Add) });

        report.RowsRead.Should().Be(3000);
        report.CountersWritten.Should().Be(150);
        progress.Where(p => p.CountersWritten > 0).Select(p => p.CountersWritten).Should().Equal(40, 80, 120, 150);
        progress.Should().OnlyContain(p => p.CountersToWrite == 0 || p.CountersToWrite == 150);
        (await fixture.CountersAsync()).Should().HaveCount(150).And.OnlyContain(c => c.EndsWith("=20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_sources_are_refused_before_anything_is_read_or_written()
    {
        await using var fixture = await ImportFixture.CreateAsync("import_bad");
        var importer = fixture.Importer;

        await importer.Invoking(i => i.ImportAsync(new EventLogSource("logs; DROP TABLE users", "user_id", "t", "images")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*not a table name*");
        await importer.Invoking(i => i.ImportAsync(new EventLogSource("image_generation_log", "user id", "created_at", "images")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*not a column name*");
        await importer.Invoking(i => i.ImportAsync(new EventLogSource("image_generation_log", "user_id", "created_at", "videos")))
            .Should().ThrowAsync<UnknownFeatureException>();
        await importer.Invoking(i => i.ImportAsync(new EventLogSource("image_generation_log", "user_id", "created_at", "seats")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*gauge*");
        await importer.Invoking(i => i.ImportAsync(new WideTableSource("feature_usage", "user_id", "period", new Dictionary<string, string>())))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*column map is empty*");
        await importer.Invoking(i => i.ImportAsync(new EventLogSource("no_such_log", "user_id", "created_at", "images")))
            .Should().ThrowAsync<QuotaConfigurationException>().WithMessage("*no_such_log*");
        (await fixture.CountersAsync()).Should().BeEmpty();
    }

    private static async Task SeedWideAsync(ImportFixture fixture)
    {
        await fixture.Host.Admin.SetTimeZoneAsync("bob", "Australia/Melbourne");
        await fixture.ExecuteAsync("""
            INSERT INTO public.feature_usage (user_id, period, images_generated, voice_seconds, timezone) VALUES
              ('alice', '2025-06-10', 2, 30, NULL),
              ('alice', '2025-06-11', 1, 40, NULL),
              ('bob', '2025-06-10', 3, 0, 'Australia/Melbourne'),
              ('carol', '2025-06-10', 1, 5, 'Australia/Melbourne'),
              ('dave', '2025-13', 1, 1, NULL),
              ('erin', '2025-06-12', -1, 5, NULL),
              ('mallory', '2025-06-12', 1, 1, NULL),
              ('frank', '2025-06-12', 1, NULL, NULL);
            """);
    }

    private static readonly string[] Reasons =
    [
        "spans QuotaKit's periods", "is not 'YYYY-MM' or 'YYYY-MM-DD'", "is negative", "is missing (NULL)", "unknown user 'mallory'",
        "'video' is not in the column map", "is empty or reversed",
    ];

    /// <summary>The part of a skip reason a test checks; the rest (instants, names) is for people.</summary>
    private static string Reason(string reason) => Reasons.FirstOrDefault(r => reason.Contains(r, StringComparison.Ordinal)) ?? reason;

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
