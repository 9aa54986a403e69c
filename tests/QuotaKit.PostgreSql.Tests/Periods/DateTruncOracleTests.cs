using System.Diagnostics;

using NodaTime;

using Npgsql;

using NpgsqlTypes;

using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Tests.Periods;

using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Periods;

/// <summary>
/// Checks calendar period starts against an independent oracle, PostgreSQL's <c>date_trunc(field, timestamptz, zone)</c>,
/// for every tzdb zone PostgreSQL also knows and instants from 1990 to 2040 including each zone's transitions.
/// The rows go to PostgreSQL in a few large batched statements.
/// </summary>
/// <remarks>
/// PostgreSQL resolves a truncated local time that is ambiguous to the LATER instant and one that is skipped with the
/// offset from BEFORE the gap; QuotaKit takes the earlier instant and the first instant after the gap. Those rows
/// (and rows whose local time itself is in a repeated stretch after the next boundary's first occurrence) are
/// checked against QuotaKit's own rule instead and counted, not compared with PostgreSQL.
/// </remarks>
public class DateTruncOracleTests(FreshDatabase database, ITestOutputHelper output) : IClassFixture<FreshDatabase>
{
    private const int RowsPerStatement = 100_000;

    public static TheoryData<string, string> Fields => new()
    {
        { "day", "day" },
        { "week", "week" }, // PostgreSQL weeks are ISO weeks, from Monday; other first days are unit-tested.
        { "month", "month" },
        { "quarter", "quarter" },
        { "year", "year" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Period_starts_agree_with_postgresql_date_trunc(string field, string policyText)
    {
        var stopwatch = Stopwatch.StartNew();
        PeriodPolicy policy = PeriodPolicy.Parse(policyText);
        HashSet<string> postgresZones = await PostgresZoneNamesAsync();
        var zones = ZoneInstantSamples.AllTzdbZones().ToList();
        List<string> unknownToPostgres = zones.Where(z => !postgresZones.Contains(z.Id)).Select(z => z.Id).ToList();
        var rows = new List<(DateTimeZone Zone, Instant Instant)>();
        foreach (DateTimeZone zone in zones.Where(z => postgresZones.Contains(z.Id)))
        {
            rows.AddRange(ZoneInstantSamples.For(zone, spreadCount: 100).Select(WholeMicroseconds).Distinct().Select(i => (zone, i)));
        }

        var tally = new OracleTally();
        for (int offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var batch = rows.GetRange(offset, Math.Min(RowsPerStatement, rows.Count - offset));
            List<PostgresTruncation> results = await TruncateAsync(field, batch);
            for (int i = 0; i < batch.Count; i++)
            {
                tally.Add(Classify(policy, batch[i].Zone, batch[i].Instant, results[i]), batch[i].Zone, batch[i].Instant);
            }
        }

        output.WriteLine($"{field}: {rows.Count} rows in {zones.Count - unknownToPostgres.Count} zones in {stopwatch.Elapsed}; "
            + $"NodaTime tzdb {DateTimeZoneProviders.Tzdb.VersionId}; "
            + $"zones PostgreSQL lacks ({unknownToPostgres.Count}): {string.Join(", ", unknownToPostgres)}");
        output.WriteLine(tally.ToString());
        unknownToPostgres.Count.Should().BeLessThan(10);
        tally.Count(Outcome.Disagrees).Should().Be(0, tally.ToString());

        // The two tzdb copies are different releases; a handful of zones have different offsets at some instants.
        tally.ZonesWithTzdbDifferences.Count.Should().BeLessThan(30, tally.ToString());
        tally.Count(Outcome.Agrees).Should().BeGreaterThan(rows.Count * 97 / 100);
        if (field == "day")
        {
            tally.Count(Outcome.AmbiguousBoundary).Should().BeGreaterThan(0, "the samples must include ambiguous midnights to tell the rules apart");
        }
    }

    [Fact]
    public async Task An_ambiguous_midnight_starts_the_day_at_its_earlier_occurrence_where_postgresql_picks_the_later()
    {
        // Havana falls back from 01:00 CDT (-4) to 00:00 CST (-5) on Sunday 2025-11-02: that local midnight happens at
        // 04:00Z and again at 05:00Z. QuotaKit starts the day at the first; PostgreSQL's date_trunc answers the second.
        DateTimeZone havana = DateTimeZoneProviders.Tzdb["America/Havana"];
        Instant noon = Instant.FromUtc(2025, 11, 2, 17, 0);

        PostgresTruncation postgres = (await TruncateAsync("day", [(havana, noon)])).Single();
        Instant ours = PeriodCalculator.GetPeriod(PeriodPolicy.Day, new PeriodContext(havana), noon).Start;

        postgres.Start.Should().Be(Instant.FromUtc(2025, 11, 2, 5, 0));
        ours.Should().Be(Instant.FromUtc(2025, 11, 2, 4, 0));
        Classify(PeriodPolicy.Day, havana, noon, postgres).Should().Be(Outcome.AmbiguousBoundary);
    }

    private static Outcome Classify(PeriodPolicy policy, DateTimeZone zone, Instant instant, PostgresTruncation postgres)
    {
        if (instant.InZone(zone).LocalDateTime != postgres.LocalInstant)
        {
            return Outcome.TzdbDiffers; // the two tzdb copies disagree on the zone's offset at this instant
        }

        Instant ours = PeriodCalculator.GetPeriod(policy, new PeriodContext(zone), instant).Start;
        NodaTime.TimeZones.ZoneLocalMapping boundary = zone.MapLocal(postgres.LocalBoundary);
        if (boundary.Count == 2 && postgres.Start == boundary.Last().ToInstant())
        {
            // PostgreSQL took the later occurrence; QuotaKit's rule is the earlier one. Agreeing with PostgreSQL here
            // would mean QuotaKit took the later one too, so the oracle translates PostgreSQL's answer before comparing.
            return ours == boundary.First().ToInstant() ? Outcome.AmbiguousBoundary : Outcome.Disagrees;
        }

        if (ours == postgres.Start)
        {
            return Outcome.Agrees;
        }

        if (boundary.Count == 0 && ours == boundary.LateInterval.Start)
        {
            return Outcome.SkippedBoundary;
        }

        if (ours > postgres.Start && zone.MapLocal(ours.InZone(zone).LocalDateTime) is { Count: 2 } oursMapping
            && oursMapping.First().ToInstant() == ours)
        {
            return Outcome.RepeatedAfterNextBoundary;
        }

        return boundary.Count == 1 && boundary.Single().ToInstant() != postgres.Start ? Outcome.TzdbDiffers : Outcome.Disagrees;
    }

    private async Task<HashSet<string>> PostgresZoneNamesAsync()
    {
        await using NpgsqlCommand command = database.DataSource.CreateCommand("SELECT name FROM pg_timezone_names");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private async Task<List<PostgresTruncation>> TruncateAsync(string field, List<(DateTimeZone Zone, Instant Instant)> batch)
    {
        // The field is one of the fixed literals from Fields, so formatting it into the SQL is safe.
        await using NpgsqlCommand command = database.DataSource.CreateCommand($"""
            SELECT t AT TIME ZONE zone, date_trunc('{field}', t AT TIME ZONE zone), date_trunc('{field}', t, zone)
            FROM unnest(@instants, @zones) WITH ORDINALITY AS x(t, zone, n)
            ORDER BY n
            """);
        command.CommandTimeout = 300;
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("instants", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            TypedValue = batch.Select(row => row.Instant.ToDateTimeUtc()).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter<string[]>("zones", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            TypedValue = batch.Select(row => row.Zone.Id).ToArray(),
        });

        var results = new List<PostgresTruncation>(batch.Count);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            results.Add(new PostgresTruncation(
                LocalDateTime.FromDateTime(reader.GetDateTime(0)),
                LocalDateTime.FromDateTime(reader.GetDateTime(1)),
                Instant.FromDateTimeUtc(reader.GetDateTime(2))));
        }

        return results;
    }

    /// <summary>timestamptz holds microseconds; truncating first keeps both sides looking at the same instant.</summary>
    private static Instant WholeMicroseconds(Instant instant)
    {
        long ticks = instant.ToUnixTimeTicks();
        return Instant.FromUnixTimeTicks(ticks - (ticks % 10));
    }
}
