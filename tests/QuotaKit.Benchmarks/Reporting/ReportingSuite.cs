using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using QuotaKit.PostgreSql;

namespace QuotaKit.Benchmarks.Reporting;

/// <summary>One query's latency over its measured executions.</summary>
internal sealed record ReportingResult(string Query, string Contender, int Executions, double P50Ms, double P99Ms, double MeanMs);

/// <summary>
/// The wide usage report (<c>quotakit.feature_usage</c>) with 10,000 subjects × 3 features (day, billing month, lifetime;
/// 7 past days of history for the day feature), read two ways: one subject's row, and a full scan. Beside it, in the same
/// run and interleaved round by round: the hand-written wide <c>feature_usage</c> table it replaces (one row per user,
/// a column per feature: the floor for reading one row), and the raw counters of one subject (three index look-ups, no
/// limits: what the view adds on top of the rows it reads).
/// </summary>
internal sealed class ReportingSuite(BenchmarkOptions options, string connectionString)
{
    private const int Subjects = 10_000;
    private const int HistoryDays = 7;

    public List<ReportingResult> Results { get; } = [];

    public async Task RunAsync()
    {
        await using (var quotaKit = CreateQuotaKit())
        {
            await quotaKit.ApplyQuotaKitMigrationsAsync(); // creates the view with this configuration's columns
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await SeedAsync(dataSource);

        var rounds = options.Quick ? 3 : 5;
        var oneRowPerRound = options.Quick ? 300 : 1000;
        var scansPerRound = options.Quick ? 3 : 6;
        var contenders = new (string Query, string Contender, string Sql, bool OneSubject, int PerRound)[]
        {
            ("one subject's row", "quotakit.feature_usage", "SELECT * FROM quotakit.feature_usage WHERE subject_id = $1", true, oneRowPerRound),
            ("one subject's row", "hand-written wide table", "SELECT * FROM bench_reports.feature_usage WHERE user_id = $1", true, oneRowPerRound),
            ("one subject's row", "raw counters (3 rows, no limits)",
                "SELECT feature_key, used FROM quotakit.usage_counters WHERE subject_id = $1 AND period_start <= now() AND period_end > now()", true, oneRowPerRound),
            ("full scan (10,000 rows)", "quotakit.feature_usage", "SELECT * FROM quotakit.feature_usage", false, scansPerRound),
            ("full scan (10,000 rows)", "hand-written wide table", "SELECT * FROM bench_reports.feature_usage", false, scansPerRound),
        };

        var samples = contenders.Select(_ => new List<double>()).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var round = -1; round < rounds; round++) // round -1 warms up (plans, caches) and is not counted
        {
            for (var c = 0; c < contenders.Length; c++)
            {
                var contender = contenders[c];
                await using var command = new NpgsqlCommand(contender.Sql, connection);
                if (contender.OneSubject)
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "" });
                }

                await command.PrepareAsync();
                for (var i = 0; i < contender.PerRound; i++)
                {
                    if (contender.OneSubject)
                    {
                        ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = Subject((i * 7919 + round * 31 + Subjects) % Subjects);
                    }

                    var started = Stopwatch.GetTimestamp();
                    await using (var reader = await command.ExecuteReaderAsync())
                    {
                        var rows = 0;
                        while (await reader.ReadAsync())
                        {
                            rows++;
                        }

                        if (rows == 0)
                        {
                            throw new InvalidOperationException($"{contender.Contender} returned no row: the seed is wrong.");
                        }
                    }

                    if (round >= 0)
                    {
                        samples[c].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
            }
        }

        for (var c = 0; c < contenders.Length; c++)
        {
            var sorted = samples[c].Order().ToArray();
            Results.Add(new ReportingResult(contenders[c].Query, contenders[c].Contender, sorted.Length,
                Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Average()));
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Reports: {Subjects:N0} subjects x 3 features, {HistoryDays} past days of history, one connection, prepared statements");
        text.AppendLine();
        text.AppendLine("| Query | Contender | Executions | p50 ms | p99 ms | mean ms |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var r in Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Query} | {r.Contender} | {r.Executions} | {r.P50Ms:F3} | {r.P99Ms:F3} | {r.MeanMs:F3} |");
        }

        return text.ToString();
    }

    private ServiceProvider CreateQuotaKit()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column("images_generated"))
            .AddFeature("voice-seconds", PeriodPolicy.MonthlyBillingCycle, f => f.Column())
            .AddFeature("trial_credits", PeriodPolicy.Lifetime, f => f.Column())
            .AddPlan("free", p => p.Limit("images", 3).SoftLimit("voice-seconds", 600).Limit("trial_credits", 10))
            .AddPlan("pro", p => p.Limit("images", 100).Unlimited("voice-seconds").Limit("trial_credits", 100))
            .UseDefaultPlan("free")
            .UsePostgreSql(connectionString));
        return services.BuildServiceProvider();
    }

    private static string Subject(int index) => $"report-{index:D5}";

    /// <summary>
    /// Subjects (half on "pro", each with a billing anchor 40 days back), today's, this billing month's and the lifetime
    /// counter of each, 7 past days of the day feature, and the hand-written wide table with the same numbers.
    /// </summary>
    private static async Task SeedAsync(NpgsqlDataSource dataSource)
    {
        const string Sql = """
            DELETE FROM quotakit.usage_counters WHERE subject_id LIKE 'report-%';
            DELETE FROM quotakit.subjects WHERE subject_id LIKE 'report-%';
            INSERT INTO quotakit.subjects (subject_id, plan_key, billing_anchor, time_zone, created_at, updated_at)
            SELECT 'report-' || lpad(i::text, 5, '0'), CASE WHEN i % 2 = 0 THEN 'pro' END, now() - interval '40 days', NULL, now(), now()
            FROM generate_series(0, 9999) AS i;
            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value, alerted_percent, created_at, updated_at)
            SELECT 'report-' || lpad(i::text, 5, '0'), 'images', date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - d * interval '1 day',
                   date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - (d - 1) * interval '1 day', i % 4, 3, 0, now(), now()
            FROM generate_series(0, 9999) AS i, generate_series(0, 7) AS d;
            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value, alerted_percent, created_at, updated_at)
            SELECT 'report-' || lpad(i::text, 5, '0'), 'voice-seconds', now() - interval '10 days', now() + interval '20 days', i % 700, 600, 0, now(), now()
            FROM generate_series(0, 9999) AS i;
            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value, alerted_percent, created_at, updated_at)
            SELECT 'report-' || lpad(i::text, 5, '0'), 'trial_credits', now() - interval '40 days', '9999-12-31', i % 11, 10, 0, now(), now()
            FROM generate_series(0, 9999) AS i;
            DROP SCHEMA IF EXISTS bench_reports CASCADE;
            CREATE SCHEMA bench_reports;
            CREATE TABLE bench_reports.feature_usage (
                user_id text PRIMARY KEY, plan text, period text NOT NULL,
                images_generated bigint NOT NULL, images_limit bigint, voice_seconds bigint NOT NULL, voice_seconds_limit bigint,
                trial_credits bigint NOT NULL, trial_credits_limit bigint);
            INSERT INTO bench_reports.feature_usage
            SELECT 'report-' || lpad(i::text, 5, '0'), CASE WHEN i % 2 = 0 THEN 'pro' ELSE 'free' END, to_char(now(), 'YYYY-MM-DD'),
                   i % 4, 3, i % 700, 600, i % 11, 10
            FROM generate_series(0, 9999) AS i;
            ANALYZE quotakit.usage_counters; ANALYZE quotakit.subjects; ANALYZE bench_reports.feature_usage;
            """;
        await using var command = dataSource.CreateCommand(Sql);
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
