using Microsoft.EntityFrameworkCore;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Model;

/// <summary>Changes the process time zone, so it runs alone (no other test sees the change).</summary>
[CollectionDefinition(nameof(ProcessTimeZoneCollection), DisableParallelization = true)]
public class ProcessTimeZoneCollection;

[Collection(nameof(ProcessTimeZoneCollection))]
public class InstantRoundTripTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant[] Samples =
    [
        Instant.FromUtc(2025, 3, 30, 1, 0, 0) + Duration.FromTicks(1_234_560), // 123456 microseconds past the second
        Instant.FromUtc(1999, 12, 31, 23, 59, 59) + Duration.FromTicks(9_999_990),
        Instant.FromUtc(2038, 1, 19, 3, 14, 8),
        Instant.FromUtc(9999, 12, 31, 0, 0), // the lifetime period's end
    ];

    private readonly MigratedDatabase _database;

    public InstantRoundTripTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Fact]
    public Task Instants_round_trip_exactly_to_the_microsecond_in_UTC() => RoundTripAsync("utc-subject", sessionTimeZone: "UTC");

    [Fact]
    public async Task Instants_round_trip_exactly_when_the_process_and_the_session_are_in_non_UTC_zones()
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", "Pacific/Chatham");
        TimeZoneInfo.ClearCachedData();
        try
        {
            TimeZoneInfo.Local.BaseUtcOffset.Should().NotBe(TimeSpan.Zero, "the test must really run outside UTC");
            await RoundTripAsync("chatham-subject", sessionTimeZone: "Asia/Kathmandu");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", previous);
            TimeZoneInfo.ClearCachedData();
        }
    }

    private async Task RoundTripAsync(string subject, string sessionTimeZone)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Timezone = sessionTimeZone }.ConnectionString;
        await using (var context = _database.CreateContext(connectionString))
        {
            foreach (var (instant, index) in Samples.Select((s, i) => (s, i)))
            {
                context.UsageCounters.Add(new UsageCounter
                {
                    SubjectId = subject,
                    FeatureKey = $"feature-{index}",
                    PeriodStart = instant,
                    PeriodEnd = instant + Duration.FromTicks(10),
                    CreatedAt = instant,
                    UpdatedAt = instant,
                });
            }

            await context.SaveChangesAsync();
        }

        await using var reading = _database.CreateContext(connectionString);
        var stored = await reading.UsageCounters.Where(c => c.SubjectId == subject).OrderBy(c => c.FeatureKey).ToListAsync();

        stored.Select(c => c.PeriodStart).Should().Equal(Samples);
        stored.Select(c => c.PeriodEnd - c.PeriodStart).Should().AllBeEquivalentTo(Duration.FromTicks(10));

        // The server agrees on the absolute instant, whatever the session's zone: compare as Unix microseconds.
        await using var command = _database.DataSource.CreateCommand(
            "SELECT (extract(epoch FROM period_start) * 1000000)::bigint FROM quotakit.usage_counters WHERE subject_id = $1 ORDER BY feature_key");
        command.Parameters.Add(new NpgsqlParameter { Value = subject });
        var micros = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            micros.Add(reader.GetInt64(0));
        }

        micros.Should().Equal(Samples.Select(s => s.ToUnixTimeTicks() / 10));
    }
}
