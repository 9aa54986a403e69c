using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;
using QuotaKit.Tool;

namespace QuotaKit.PostgreSql.Tests.Tool;

/// <summary>The quotakit command run in-process, as a shell runs it: arguments in, text and an exit code out.</summary>
public sealed class QuotaKitCliTests : IAsyncLifetime
{
    private const string Settings = """
        {
          "QuotaKit": {
            "DefaultPlan": "free",
            "Features": {
              "images": { "Period": "day", "Column": "images_generated" },
              "sms": { "Period": "month" }
            },
            "Plans": { "free": { "images": "10", "sms": "100" } }
          }
        }
        """;

    private string _connectionString = "";
    private string _configPath = "";

    public async Task InitializeAsync()
    {
        _connectionString = await SharedPostgres.CreateDatabaseAsync("quotakit_tool");
        _configPath = Path.Combine(Path.GetTempPath(), $"quotakit-tool-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_configPath, Settings);
    }

    public async Task DisposeAsync()
    {
        File.Delete(_configPath);
        NpgsqlConnection.ClearAllPools();
        await SharedPostgres.DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task Migrate_applies_the_migrations_and_creates_the_report_view_from_the_configuration_file()
    {
        var (code, output, _) = await RunAsync("migrate");

        code.Should().Be(0);
        output.Should().Contain($"schema version {FrozenObjects.CurrentVersion}");
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'quotakit' AND table_name = 'feature_usage' AND column_name = 'images_generated'");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(1);
    }

    [Fact]
    public async Task Near_limit_prints_the_subjects_at_or_above_the_percentage()
    {
        await RunAsync("migrate");
        await using (var app = App())
        {
            await app.Tracker.TryConsumeAsync("heavy", "images", 9);
            await app.Tracker.TryConsumeAsync("light", "images", 1);
        }

        var (code, output, _) = await RunAsync("near-limit", "images", "--percent", "80");

        code.Should().Be(0);
        output.Should().Contain("heavy").And.Contain("90.00").And.NotContain("light").And.Contain("1 row(s)");
    }

    [Fact]
    public async Task Recount_exits_3_on_a_discrepancy_and_0_once_repair_fixed_it()
    {
        await RunAsync("migrate");
        await using (var app = App(recordAll: true))
        {
            await app.Tracker.TryConsumeAsync("drift", "images", 2);
        }

        await using (var dataSource = NpgsqlDataSource.Create(_connectionString))
        await using (var corrupt = dataSource.CreateCommand("UPDATE quotakit.usage_counters SET used = 7 WHERE subject_id = 'drift'"))
        {
            await corrupt.ExecuteNonQueryAsync();
        }

        var (found, report, _) = await RunAsync("recount", "--subject", "drift");
        var (repaired, repairReport, _) = await RunAsync("recount", "--subject", "drift", "--repair");
        var (clean, _, _) = await RunAsync("recount", "--subject", "drift");

        found.Should().Be(3);
        report.Should().Contain("drift").And.Contain("1 discrepancy(ies), 0 repaired");
        repaired.Should().Be(0);
        repairReport.Should().Contain("1 repaired");
        clean.Should().Be(0);
    }

    [Fact]
    public async Task Import_is_a_dry_run_until_apply_and_reports_skipped_rows_with_exit_code_3()
    {
        await RunAsync("migrate");
        await using (var dataSource = NpgsqlDataSource.Create(_connectionString))
        await using (var seed = dataSource.CreateCommand("""
            CREATE TABLE public.sms_log (id bigserial PRIMARY KEY, user_id text, segments integer, sent_at timestamptz NOT NULL);
            INSERT INTO public.sms_log (user_id, segments, sent_at) VALUES ('u1', 2, now()), ('u1', 3, now()), ('u2', -1, now());
            """))
        {
            await seed.ExecuteNonQueryAsync();
        }

        string[] args = ["import", "events", "--table", "public.sms_log", "--feature", "sms", "--amount-column", "segments", "--time-column", "sent_at"];
        var (dryCode, dry, _) = await RunAsync(args);
        var (applyCode, applied, progress) = await RunAsync([.. args, "--apply"]);
        var (againCode, again, _) = await RunAsync([.. args, "--apply"]);

        dryCode.Should().Be(3);
        dry.Should().Contain("Dry run").And.Contain("rows read: 3").And.Contain("counters to write: 1").And.Contain("row 3 (u2): the count -1 is negative");
        applyCode.Should().Be(3);
        applied.Should().Contain("counters written: 1");
        progress.Should().Contain("wrote 1 of 1 counter(s)");
        againCode.Should().Be(3, "the bad row is still there");
        again.Should().Contain("counters written: 0").And.Contain("already imported: 1");
        await using var app = App();
        (await app.Tracker.GetUsageAsync("u1")).Single(u => u.FeatureKey == "sms").Used.Should().Be(5);
    }

    [Fact]
    public async Task Usage_prints_a_subjects_features_as_a_table()
    {
        await RunAsync("migrate");
        await using (var app = App())
        {
            await app.Tracker.TryConsumeAsync("table-user", "images", 4);
        }

        var (code, output, _) = await RunAsync("usage", "table-user");

        code.Should().Be(0);
        output.Should().MatchRegex(@"images\s+4\s+10\s+6");
    }

    [Fact]
    public async Task Bad_input_exits_2_with_a_message_saying_what_to_do()
    {
        var noConnection = await QuotaKitCli.RunAsync(["migrate", "--config", _configPath], new StringWriter(), new StringWriter());
        var error = new StringWriter();
        var missingConfig = await QuotaKitCli.RunAsync(["migrate", "--connection", _connectionString, "--config", "/nonexistent/appsettings.json"], new StringWriter(), error);
        var (unknownFeature, _, unknownError) = await RunAsync("near-limit", "videos");
        var (badMap, _, badMapError) = await RunAsync("import", "wide", "--table", "t", "--map", "nonsense");

        if (Environment.GetEnvironmentVariable(ToolContext.ConnectionVariable) is null)
        {
            noConnection.Should().Be(2);
        }

        missingConfig.Should().Be(2);
        error.ToString().Should().Contain("does not exist");
        unknownFeature.Should().Be(2);
        unknownError.Should().Contain("Unknown feature 'videos'");
        badMap.Should().Be(2);
        badMapError.Should().Contain("is not source=feature");
    }

    private TrackerUnderTest App(bool recordAll = false) => TrackerUnderTest.Build(q => q
        .UseClock(SystemClock.Instance)
        .AddFeature("images", PeriodPolicy.Day)
        .AddFeature("sms", PeriodPolicy.Month)
        .AddPlan("free", p => p.Limit("images", 10).Limit("sms", 100))
        .UseDefaultPlan("free")
        .UsePostgreSql(_connectionString, o => o.RecordAllEvents = recordAll));

    [Fact]
    public async Task Record_records_csv_in_batches_and_a_bad_record_fails_alone()
    {
        await RunAsync("migrate");
        var csv = """
            subject,feature,amount,idempotency_key
            rec-1,images,4,
            rec-1,images,4,
            rec-1,images,4,
            rec-2,sms,7,k1
            rec-2,sms,7,k1
            rec-3,no-such-feature,1,
            """;

        var (code, output, error) = await RunWithInputAsync(csv, "record", "-");

        code.Should().Be(3, "one record failed");
        output.Should().Contain("5 recorded, 0 refused, 1 failed, of 6");
        error.Should().Contain("record 6:").And.Contain("no-such-feature");
        await using var app = App();
        (await app.Tracker.GetUsageAsync("rec-1")).Single(u => u.FeatureKey == "images").Used.Should().Be(12, "increments count past the limit");
        (await app.Tracker.GetUsageAsync("rec-2")).Single(u => u.FeatureKey == "sms").Used.Should().Be(7, "the key applied once");
    }

    [Fact]
    public async Task Record_reads_json_lines_and_a_malformed_line_records_nothing()
    {
        await RunAsync("migrate");
        var path = Path.Combine(Path.GetTempPath(), $"quotakit-record-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(path, """
            {"subject":"json-1","feature":"sms","amount":3,"occurredAt":"2025-06-02T10:00:00Z"}
            {"subject":"json-1","feature":"sms","amount":2}
            """);
        try
        {
            var (code, output, _) = await RunAsync("record", path);
            (code, output.Trim()).Should().Be((0, "2 recorded, 0 refused, 0 failed, of 2"));

            await File.AppendAllTextAsync(path, "\n{\"subject\":\"json-1\",\"feature\":\"sms\",\"amount\":\"ten\"}\n");
            var (badCode, _, badError) = await RunAsync("record", path);
            badCode.Should().Be(2);
            badError.Should().Contain("line 3").And.Contain("Nothing was recorded");
        }
        finally
        {
            File.Delete(path);
        }

        await using var app = App();
        (await app.Tracker.GetHistoryAsync("json-1", "sms", Instant.FromUtc(2025, 1, 1, 0, 0), Instant.FromUtc(2100, 1, 1, 0, 0)))
            .Sum(u => u.Used).Should().Be(5, "the malformed file wrote nothing");
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunWithInputAsync("", args);

    private async Task<(int Code, string Output, string Error)> RunWithInputAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await QuotaKitCli.RunAsync([.. args, "--connection", _connectionString, "--config", _configPath], output, error, new StringReader(input));
        return (code, output.ToString(), error.ToString());
    }
}
