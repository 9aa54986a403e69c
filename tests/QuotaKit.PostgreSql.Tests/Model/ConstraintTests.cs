using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Model;

public class ConstraintTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public ConstraintTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Theory]
    [InlineData("2025-01-02T00:00:00Z", "2025-01-02T00:00:00Z")]
    [InlineData("2025-01-02T00:00:00Z", "2025-01-01T00:00:00Z")]
    public async Task A_counter_whose_period_does_not_end_after_it_starts_is_refused(string start, string end)
    {
        var insert = () => InsertCounterAsync("check-subject", "images", start, end);

        (await insert.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.CheckViolation);
    }

    [Fact]
    public async Task Overlapping_periods_for_one_subject_and_feature_are_refused_but_adjacent_ones_are_not()
    {
        await InsertCounterAsync("overlap-subject", "images", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z");
        await InsertCounterAsync("overlap-subject", "images", "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"); // adjacent: [) allows it
        await InsertCounterAsync("overlap-subject", "voice", "2025-01-01T12:00:00Z", "2025-01-02T12:00:00Z"); // other feature

        var overlapping = () => InsertCounterAsync("overlap-subject", "images", "2025-01-01T12:00:00Z", "2025-01-02T12:00:00Z");

        (await overlapping.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ExclusionViolation);
    }

    [Fact]
    public async Task An_idempotency_key_is_unique_per_subject()
    {
        await InsertEventAsync("key-subject-a", "request-1");
        await InsertEventAsync("key-subject-b", "request-1"); // another subject may use the same key
        await InsertEventAsync("key-subject-a", null);
        await InsertEventAsync("key-subject-a", null); // events without a key never collide

        var duplicate = () => InsertEventAsync("key-subject-a", "request-1");

        (await duplicate.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
    }

    private async Task InsertCounterAsync(string subject, string feature, string start, string end)
    {
        await using var command = _database.DataSource.CreateCommand(
            """
            INSERT INTO quotakit.usage_counters (subject_id, feature_key, period_start, period_end, used, limit_value, alerted_percent, created_at, updated_at)
            VALUES ($1, $2, $3::timestamptz, $4::timestamptz, 0, NULL, 0, now(), now())
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = subject });
        command.Parameters.Add(new NpgsqlParameter { Value = feature });
        command.Parameters.Add(new NpgsqlParameter { Value = start });
        command.Parameters.Add(new NpgsqlParameter { Value = end });
        await command.ExecuteNonQueryAsync();
    }

    private async Task InsertEventAsync(string subject, string? key)
    {
        await using var command = _database.DataSource.CreateCommand(
            """
            INSERT INTO quotakit.usage_events (subject_id, feature_key, operation, amount, occurred_at, period_start, period_end,
                idempotency_key, outcome, used_after, limit_kind, limit_soft, recorded_at)
            VALUES ($1, 'images', 'consume', 1, now(), '2025-01-01', '2025-01-02', $2, 0, 1, 0, false, now())
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = subject });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)key ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync();
    }
}
