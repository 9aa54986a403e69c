using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// Behaviour every <see cref="IUsageTracker"/> must have, whatever stores it. Derive once per store and implement
/// <see cref="CreateAsync"/>. Every test gets a new tracker, a clock at <see cref="Monday0900"/> and its own subject id,
/// so a store shared by the tests of a class is fine. Expected numbers are worked out by hand in the comments.
/// </summary>
public abstract partial class UsageTrackerBehaviour : IAsyncLifetime
{
    /// <summary>Monday 2025-03-10 09:00 UTC; the UTC day is [2025-03-10T00:00Z, 2025-03-11T00:00Z).</summary>
    protected static readonly Instant Monday0900 = Instant.FromUtc(2025, 3, 10, 9, 0);

    protected static readonly UsagePeriod MondayUtc = new(Instant.FromUtc(2025, 3, 10, 0, 0), Instant.FromUtc(2025, 3, 11, 0, 0));

    protected static readonly UsagePeriod TuesdayUtc = new(Instant.FromUtc(2025, 3, 11, 0, 0), Instant.FromUtc(2025, 3, 12, 0, 0));

    protected static readonly UsagePeriod March = new(Instant.FromUtc(2025, 3, 1, 0, 0), Instant.FromUtc(2025, 4, 1, 0, 0));

    private TrackerUnderTest? _underTest;

    protected FakeClock Clock { get; } = new(Monday0900);

    /// <summary>A subject id no other test uses.</summary>
    protected string Subject { get; } = $"subject-{Guid.NewGuid():N}";

    protected TrackerUnderTest UnderTest => _underTest ?? throw new InvalidOperationException("Not initialized.");

    protected IUsageTracker Tracker => UnderTest.Tracker;

    protected IQuotaAdministration Admin => UnderTest.Admin;

    public virtual async Task InitializeAsync() => _underTest = await CreateAsync(DeclareCatalog, Clock);

    public virtual async Task DisposeAsync()
    {
        if (_underTest is not null)
        {
            await _underTest.DisposeAsync();
        }
    }

    /// <summary>Builds a tracker of the store under test with the declarations of <paramref name="configure"/> and
    /// <paramref name="clock"/> as its clock.</summary>
    protected abstract Task<TrackerUnderTest> CreateAsync(Action<QuotaKitBuilder> configure, FakeClock clock);

    /// <summary>The features and plans every test uses (and the SQL mutation checks). Subjects without a plan are on "free".</summary>
    internal static void DeclareCatalog(QuotaKitBuilder quota) => quota
        .AddFeature("images", PeriodPolicy.Day, f => f.Unit = "image")
        .AddFeature("api_calls", PeriodPolicy.Day)
        .AddFeature("voice_seconds", PeriodPolicy.Month, f => f.Unit = "second")
        .AddFeature("exports", PeriodPolicy.Day)
        .AddFeature("videos", PeriodPolicy.Day)
        .AddFeature("melbourne_images", PeriodPolicy.Day.InZone("Australia/Melbourne"))
        .AddFeature("seats", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Last)
        .AddFeature("storage_peak", PeriodPolicy.Month, f => f.Aggregation = FeatureAggregation.Max)
        .AddFeature("billed_minutes", PeriodPolicy.MonthlyBillingCycle)
        .AddPlan("free", p => p
            .Limit("images", 3)
            .Limit("api_calls", 10)
            .SoftLimit("voice_seconds", 600)
            .Unlimited("exports")
            .Limit("melbourne_images", 10)
            .Limit("seats", 5)
            .Limit("storage_peak", 1000)
            .Limit("billed_minutes", 100))
        .AddPlan("pro", p => p.Limit("images", 100).Unlimited("voice_seconds"))
        .UseDefaultPlan("free");

    protected Task<UsageDecision> ConsumeAsync(string feature, long amount = 1, UsageOptions? options = null) =>
        Tracker.TryConsumeAsync(Subject, feature, amount, options);

    protected async Task<long> UsedAsync(string feature) =>
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == feature).Used;

    protected static UsageOptions Key(string idempotencyKey) => UsageOptions.WithIdempotencyKey(idempotencyKey);
}
