using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>Refused calls leave every QuotaKit table exactly as it was (checked on the tables, not through the API).</summary>
public class BadInputTablesTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase _database;

    public BadInputTablesTests(MigratedDatabase database)
    {
        _database = database;
    }

    public static TheoryData<string, Func<IUsageTracker, IQuotaAdministration, Task>, Type> BadCalls => new()
    {
        { "unknown feature", (t, _) => t.TryConsumeAsync("s", "no_such_feature"), typeof(UnknownFeatureException) },
        { "empty subject", (t, _) => t.TryConsumeAsync("", "images"), typeof(InvalidSubjectException) },
        { "whitespace subject", (t, _) => t.IncrementAsync("  \t", "images"), typeof(InvalidSubjectException) },
        { "subject too long", (t, _) => t.TryConsumeAsync(new string('s', 257), "images"), typeof(InvalidSubjectException) },
        { "NUL in subject", (t, _) => t.TryConsumeAsync("a\0b", "images"), typeof(InvalidSubjectException) },
        { "zero amount", (t, _) => t.TryConsumeAsync("s", "images", 0), typeof(InvalidAmountException) },
        { "negative amount", (t, _) => t.IncrementAsync("s", "images", -5), typeof(InvalidAmountException) },
        { "negative refund", (t, _) => t.RefundAsync("s", "images", -1), typeof(InvalidAmountException) },
        { "negative gauge", (t, _) => t.SetGaugeAsync("s", "seats", -1), typeof(InvalidAmountException) },
        { "gauge call on a counter", (t, _) => t.SetGaugeAsync("s", "images", 3), typeof(FeatureKindMismatchException) },
        { "metadata not JSON", (t, _) => t.TryConsumeAsync("s", "images", 1, new UsageOptions { MetadataJson = "{oops" }), typeof(InvalidUsageOptionsException) },
        { "idempotency key too long", (t, _) => t.TryConsumeAsync("s", "images", 1, UsageOptions.WithIdempotencyKey(new string('k', 201))), typeof(InvalidUsageOptionsException) },
        { "unknown plan", (_, a) => a.SetPlanAsync("s", "gold"), typeof(UnknownPlanException) },
        { "unknown time zone", (_, a) => a.SetTimeZoneAsync("s", "Mars/Olympus_Mons"), typeof(UnknownTimeZoneException) },
        { "grant of zero units", (_, a) => a.AddGrantAsync("s", "images", 0, Instant.FromUtc(2025, 1, 1, 0, 0), Instant.FromUtc(2025, 2, 1, 0, 0)), typeof(InvalidAmountException) },
        { "override of an unknown feature", (_, a) => a.SetOverrideAsync("s", "no_such_feature", FeatureLimit.Hard(1)), typeof(UnknownFeatureException) },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task A_refused_call_writes_nothing(string because, Func<IUsageTracker, IQuotaAdministration, Task> call, Type expected)
    {
        await using var host = TrackerHost.Create(_database.ConnectionString, new QuotaKit.Testing.FakeClock(Instant.FromUtc(2025, 6, 1, 12, 0)), q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddFeature("seats", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
            .AddPlan("free", p => p.Limit("images", 10).Limit("seats", 5))
            .UseDefaultPlan("free"));
        var before = await _database.CountAllRowsAsync();

        var act = () => call(host.Tracker, host.Admin);

        (await act.Should().ThrowAsync<QuotaKitException>(because)).Which.Should().BeOfType(expected);
        (await _database.CountAllRowsAsync()).Should().Be(before, because);
    }
}
