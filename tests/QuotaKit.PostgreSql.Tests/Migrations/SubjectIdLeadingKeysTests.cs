using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// Schema version 5 (issue 16): every key of a per-subject table leads with <c>subject_id</c>, as Citus requires of
/// tables distributed by it (docs/scaling.md), and the change upgrades a populated database without losing a row.
/// </summary>
public class SubjectIdLeadingKeysTests
{
    private const string LastVersion4Migration = "20261122094056_SchemaVersion4";
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);

    // The tables whose rows belong to one subject; __quotakit_migrations is not one (it would be a reference table).
    private static readonly string[] PerSubjectTables =
        ["subjects", "usage_counters", "usage_events", "subject_limit_overrides", "subject_grants", "usage_holds"];

    [Fact]
    public async Task Every_primary_key_unique_index_and_exclusion_constraint_of_a_per_subject_table_leads_with_subject_id()
    {
        await using var database = await TestDatabase.CreateAsync("keys_lead_with_subject");
        await QuotaKitContexts.MigrateAsync(database.ConnectionString);

        // Unique indexes cover primary keys and unique constraints; exclusion constraints have indexes of their own.
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT t.relname || '.' || i.relname, a.attname
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
            WHERE n.nspname = 'quotakit' AND t.relname = ANY($1)
              AND (x.indisunique OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'x'))
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string[]> { TypedValue = PerSubjectTables });
        var leading = new List<(string Index, string Column)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                leading.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        leading.Should().Contain(k => k.Index == "usage_events.pk_usage_events").And.Contain(k => k.Index == "subject_grants.pk_subject_grants");
        leading.Where(k => k.Column != "subject_id").Should().BeEmpty("every key of a per-subject table must lead with subject_id");
    }

    [Fact]
    public async Task A_populated_version_4_database_keeps_every_row_and_keeps_working_after_the_keys_change()
    {
        await using var database = await TestDatabase.CreateAsync("keys_upgrade_from_v4");
        await using (var context = QuotaKitContexts.Create(database.ConnectionString))
        {
            await context.GetService<IMigrator>().MigrateAsync(LastVersion4Migration);
        }

        await database.ExecuteAsync(
            """
            INSERT INTO quotakit.subject_grants (subject_id, feature_key, amount, valid_from, valid_until, reason, created_at)
            VALUES ('ann', 'images', 5, '2025-06-01', '2025-07-01', 'v4 grant', now()), ('bob', 'images', 1, '2025-06-01', '2025-07-01', NULL, now());
            SELECT quotakit.record_usage_v3('ann', 'images', '2025-06-02', '2025-06-03', 'consume', 2, 15, true, 1::smallint,
                1::smallint, false, '{80,100}', '2025-06-02 11:00+00', '2025-06-02 11:00+00', 'request-1', NULL, false,
                gen_random_uuid(), NULL);
            """);
        var before = await CountsAsync(database);

        await QuotaKitContexts.MigrateAsync(database.ConnectionString);

        (await CountsAsync(database)).Should().Be(before, "no row is lost or added by the keys change");
        await using var host = TrackerHost.Create(database.ConnectionString, new FakeClock(Noon), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("images", 10))
            .UseDefaultPlan("free"));
        var replay = await host.Tracker.TryConsumeAsync("ann", "images", 2, UsageOptions.WithIdempotencyKey("request-1"));
        (replay.IsReplay, replay.Used).Should().Be((true, 2L), "the key claimed under version 4 still answers");
        var next = await host.Tracker.TryConsumeAsync("ann", "images", 13, UsageOptions.WithIdempotencyKey("request-2"));
        (next.Allowed, next.Used, next.Limit).Should().Be((true, 15L, FeatureLimit.Hard(15)), "the version 4 grant of 5 still counts");
    }

    private static async Task<(long Events, long Grants, long Counters)> CountsAsync(TestDatabase database)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM quotakit.usage_events), (SELECT count(*) FROM quotakit.subject_grants),
                   (SELECT count(*) FROM quotakit.usage_counters)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
