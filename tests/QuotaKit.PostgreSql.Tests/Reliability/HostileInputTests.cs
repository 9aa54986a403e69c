using System.Text;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Hostile subjects, keys, feature keys and metadata: each is either refused with a typed QuotaKit exception, or stored
/// exactly (read back from the table equal byte for byte), and no SQL is ever spliced (the tables survive).
/// </summary>
public class HostileInputTests : IClassFixture<MigratedDatabase>
{
    public static readonly TheoryData<string> StoredStrings = new()
    {
        "o'brien",
        "'; DROP TABLE quotakit.usage_counters; --",
        "\"; DROP SCHEMA quotakit CASCADE; --",
        "$1 $$ $function$ \\ %s {0} E'\\x00'",
        "👩‍👩‍👧‍👦 family",
        "مرحبا\u202Eevil\u202C",
        "e\u0301\u0308 Z\u0351\u0352\u0353",
        "\t\r\n tabs and newlines",
        new string('x', 256),
        new string('é', 256),
    };

    // Passed by index: xunit serialises theory arguments as UTF-8, which would turn a lone surrogate into U+FFFD.
    private static readonly string[] RefusedSubjectValues =
    [
        "a\0b",
        "\0",
        "lone \uD800 surrogate",
        "reversed \uDC00\uD800",
        new string('x', 257),
        new string('x', 1_000_000),
        "   ",
    ];

    public static readonly TheoryData<int> RefusedSubjects = new(Enumerable.Range(0, RefusedSubjectValues.Length));

    private readonly MigratedDatabase _database;

    public HostileInputTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Theory]
    [MemberData(nameof(StoredStrings))]
    public async Task Hostile_subjects_and_idempotency_keys_are_stored_exactly(string text)
    {
        await using var host = CreateHost();
        var key = text.Length > 200 ? text[..200] : text;
        var decision = await host.Tracker.TryConsumeAsync(text, "images", 1, UsageOptions.WithIdempotencyKey(key));
        decision.Allowed.Should().BeTrue();
        await host.Admin.SetPlanAsync(text, "free");

        await using var command = _database.DataSource.CreateCommand(
            """
            SELECT e.subject_id, convert_to(e.subject_id, 'UTF8'), e.idempotency_key, convert_to(e.idempotency_key, 'UTF8'),
                   (SELECT used FROM quotakit.usage_counters c WHERE c.subject_id = e.subject_id),
                   (SELECT count(*) FROM quotakit.subjects s WHERE s.subject_id = e.subject_id)
            FROM quotakit.usage_events e WHERE e.subject_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = text });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(0).Should().Be(text);
        reader.GetFieldValue<byte[]>(1).Should().Equal(Encoding.UTF8.GetBytes(text));
        reader.GetString(2).Should().Be(key);
        reader.GetFieldValue<byte[]>(3).Should().Equal(Encoding.UTF8.GetBytes(key));
        reader.GetInt64(4).Should().Be(1);
        reader.GetInt64(5).Should().Be(1);
        (await reader.ReadAsync()).Should().BeFalse();
        await reader.DisposeAsync();
        (await host.Tracker.GetUsageAsync(text)).Single().Used.Should().Be(1);
        (await _database.CountAllRowsAsync()).Should().BePositive("no table was dropped");
    }

    [Theory]
    [MemberData(nameof(RefusedSubjects))]
    public async Task Invalid_subjects_are_refused_with_a_typed_error_and_write_nothing(int index)
    {
        var subject = RefusedSubjectValues[index];
        await using var host = CreateHost();
        var before = await _database.CountAllRowsAsync();

        await FluentActions.Awaiting(() => host.Tracker.TryConsumeAsync(subject, "images")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => host.Tracker.GetUsageAsync(subject)).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => host.Admin.SetPlanAsync(subject, "free")).Should().ThrowAsync<InvalidSubjectException>();
        await FluentActions.Awaiting(() => host.Tracker.TryConsumeAsync("ok", "images", 1, UsageOptions.WithIdempotencyKey(subject)))
            .Should().ThrowAsync<InvalidUsageOptionsException>();
        (await _database.CountAllRowsAsync()).Should().Be(before);
    }

    [Theory]
    [InlineData("images'; DROP TABLE quotakit.usage_counters; --")]
    [InlineData("IMAGES")]
    [InlineData("images\0")]
    [InlineData("imag\u0435s")] // Cyrillic e
    [InlineData("")]
    public async Task Unknown_or_hostile_feature_keys_are_refused_with_a_typed_error(string featureKey)
    {
        await using var host = CreateHost();
        await FluentActions.Awaiting(() => host.Tracker.TryConsumeAsync("subject", featureKey)).Should().ThrowAsync<UnknownFeatureException>();
        await FluentActions.Awaiting(() => host.Admin.SetOverrideAsync("subject", featureKey, FeatureLimit.Hard(1)))
            .Should().ThrowAsync<UnknownFeatureException>();
    }

    [Theory]
    [InlineData("images'; DROP TABLE quotakit.usage_counters; --")]
    [InlineData("images\0")]
    [InlineData("imag\u0435s")]
    [InlineData("")]
    public async Task Hostile_feature_keys_are_refused_in_configuration(string featureKey)
    {
        await using var host = CreateHost(featureKey);
        FluentActions.Invoking(() => host.Tracker).Should().Throw<QuotaConfigurationException>()
            .Which.Message.Should().Contain("is invalid");
    }

    [Fact]
    public async Task Hostile_metadata_is_stored_exactly_or_refused()
    {
        await using var host = CreateHost();
        const string hostile = """{"sql": "'); DROP TABLE quotakit.usage_events; --", "emoji": "👩‍👩‍👧", "rtl": "\u202Eabc", "nested": {"a": [1, "\"q\""]}}""";
        await host.Tracker.IncrementAsync("meta", "images", 1, new UsageOptions { MetadataJson = hostile });
        await using (var command = _database.DataSource.CreateCommand(
            "SELECT count(*) FROM quotakit.usage_events WHERE subject_id = 'meta' AND metadata = $1::jsonb"))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hostile });
            ((long)(await command.ExecuteScalarAsync())!).Should().Be(1);
        }

        var deep = new string('[', 10_000) + new string(']', 10_000);
        foreach (var refused in new[] { """{"a": "\u0000"}""", """{"a": "\ud800"}""", """{"\udc00": 1}""", "[1]", "{", "{\"a\": 1} trailing", $"{{\"a\": {deep}}}" })
        {
            await FluentActions.Awaiting(() => host.Tracker.IncrementAsync("meta", "images", 1, new UsageOptions { MetadataJson = refused }))
                .Should().ThrowAsync<InvalidUsageOptionsException>(refused.Length > 40 ? refused[..40] : refused);
        }
    }

    private TrackerUnderTest CreateHost(string feature = "images") =>
        TrackerHost.Create(_database.ConnectionString, new FakeClock(NodaTime.Instant.FromUtc(2025, 6, 1, 12, 0)), q => q
            .AddFeature(feature, PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit(feature, 100))
            .UseDefaultPlan("free"));
}
