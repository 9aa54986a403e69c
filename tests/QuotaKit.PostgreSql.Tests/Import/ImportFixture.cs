using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Import;

/// <summary>
/// A fresh database with QuotaKit migrated and the hand-written tables apps built before it, as their migrations wrote
/// them: a users table, a wide feature_usage table with text periods and a zone column, a usage_counters table with
/// [start, end) periods, per-event logs, and a plans table with per-user counters and a monthly reset date.
/// </summary>
public sealed class ImportFixture : IAsyncDisposable
{
    public static readonly Instant Now = Instant.FromUtc(2025, 6, 11, 12, 0);

    private const string HandWrittenTables = """
        CREATE TABLE public.users (id text PRIMARY KEY, email text NOT NULL);
        INSERT INTO public.users VALUES ('alice', 'a@x'), ('bob', 'b@x'), ('carol', 'c@x'), ('dave', 'd@x'), ('erin', 'e@x'),
            ('frank', 'f@x'), ('gina', 'g@x');

        -- 20240101_feature_usage.sql: one row per user and period, one column per feature, text periods.
        CREATE TABLE public.feature_usage (
            id serial PRIMARY KEY,
            user_id text NOT NULL,
            period text NOT NULL,
            images_generated integer DEFAULT 0,
            voice_seconds integer DEFAULT 0,
            timezone text,
            created_at timestamp DEFAULT now());

        -- 20240315_usage_counters.sql
        CREATE TABLE public.usage_counters (
            user_id text NOT NULL, feature text NOT NULL, period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
            count integer NOT NULL DEFAULT 0);

        -- 20240402_image_generation_log.sql and sms_usage
        CREATE TABLE public.image_generation_log (id bigserial PRIMARY KEY, user_id text, prompt text, created_at timestamptz DEFAULT now());
        CREATE TABLE public.sms_usage (id bigserial PRIMARY KEY, user_id text NOT NULL, segments integer NOT NULL, sent_at timestamptz NOT NULL);

        -- 20240501_user_plans.sql: per-user counters reset monthly by a cron job on usage_reset_date.
        CREATE TABLE public.user_plans (
            user_id text PRIMARY KEY, plan text NOT NULL DEFAULT 'free', images_used integer DEFAULT 0, voice_seconds_used integer DEFAULT 0,
            usage_reset_date date NOT NULL);
        """;

    private readonly TestDatabase _database;

    private ImportFixture(TestDatabase database, TrackerUnderTest host, FakeClock clock)
    {
        _database = database;
        Clock = clock;
        Host = host;
    }

    public TrackerUnderTest Host { get; }

    public NpgsqlDataSource DataSource => _database.DataSource;

    public FakeClock Clock { get; }

    public IQuotaKitImporter Importer => Host.Services.GetRequiredService<IQuotaKitImporter>();

    public static async Task<ImportFixture> CreateAsync(string name)
    {
        var database = await TestDatabase.CreateAsync(name);
        var connectionString = database.ConnectionString;
        await QuotaKitContexts.MigrateAsync(connectionString);
        await database.ExecuteAsync(HandWrittenTables);

        var clock = new FakeClock(Now);
        var host = TrackerHost.Create(connectionString, clock, q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddFeature("voice_seconds", PeriodPolicy.Month)
            .AddFeature("sms_segments", PeriodPolicy.Month)
            .AddFeature("plan_images", PeriodPolicy.MonthlyBillingCycle)
            .AddFeature("plan_voice", PeriodPolicy.MonthlyBillingCycle)
            .AddFeature("seats", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
            .AddPlan("free", p => p.Limit("images", 3).Limit("voice_seconds", 600).Limit("sms_segments", 100)
                .Limit("plan_images", 10).Limit("plan_voice", 1000).Unlimited("seats"))
            .UseDefaultPlan("free"));
        return new ImportFixture(database, host, clock);
    }

    public Task ExecuteAsync(string sql) => _database.ExecuteAsync(sql);

    /// <summary>Every QuotaKit counter as "subject/feature/start=used", sorted.</summary>
    public async Task<List<string>> CountersAsync()
    {
        await using var command = DataSource.CreateCommand(
            "SELECT subject_id || '/' || feature_key || '/' || to_char(period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI') || '=' || used " +
            "FROM quotakit.usage_counters ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _database.DisposeAsync();
    }
}
