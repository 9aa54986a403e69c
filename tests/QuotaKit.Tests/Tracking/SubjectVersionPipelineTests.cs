using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// The pipeline's side of subject versions (docs/architecture.md, "Subject versions"): against a store that verifies
/// them, the tracker guesses the defaults for an uncached subject, falls back to the stored context when the guess gives
/// no write, writes again with the context the store answers, and gives up after three attempts.
/// </summary>
public sealed class SubjectVersionPipelineTests : IAsyncDisposable
{
    private const string Subject = "versioned-subject";

    // A hang guard, not a speed assertion: a retry loop that never ends must fail the test instead of stalling the run.
    private static readonly TimeSpan NoEndlessLoop = TimeSpan.FromSeconds(30);

    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);
    private static readonly Instant Anchor = Instant.FromUtc(2025, 1, 20, 0, 0);

    private readonly VersionedSubjectStore _subjects = new();
    private readonly VersionCheckingStore _store;
    private readonly ServiceProvider _services;

    public SubjectVersionPipelineTests()
    {
        _store = new VersionCheckingStore(_subjects);
        _services = new ServiceCollection()
            .AddMetrics()
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddFeature("seconds", PeriodPolicy.MonthlyBillingCycle)
                .AddPlan("free", p => p.Limit("images", 5).Limit("seconds", 100))
                .AddPlan("pro", p => p.Limit("images", 50).Limit("seconds", 1000))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Now))
                .UseStore(_ => _store, _ => _subjects))
            .Services.BuildServiceProvider();
    }

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    private IQuotaAdministration Admin => _services.GetRequiredService<IQuotaAdministration>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    // On the thread pool: a retry loop that never yields would otherwise block this thread before the guard could fire.
    private static Task<UsageDecision> Guarded(Func<Task<UsageDecision>> call) => Task.Run(call).WaitAsync(NoEndlessLoop);

    [Fact]
    public async Task A_guess_that_gives_no_period_is_replaced_by_the_subjects_stored_context_before_anything_is_sent()
    {
        // Nothing cached: the guess (no anchor) gives no billing cycle, so the stored anchor must decide.
        await Admin.SetBillingAnchorAsync(Subject, Anchor);

        var decision = await Guarded(() => Tracker.TryConsumeAsync(Subject, "seconds", 30));

        decision.Allowed.Should().BeTrue();
        decision.Period.Start.Should().Be(Instant.FromUtc(2025, 2, 20, 0, 0), "the cycle of the anchor on the 20th that holds March 10");
        _store.WriteAttempts.Should().Be(1, "the guess gave no write, so nothing was sent before the stored context was read");
    }

    [Fact]
    public async Task A_write_the_stored_context_cannot_place_is_refused_once_the_stored_context_was_read()
    {
        // The guess gives no period; the stored context gives none either (the instant is before the anchor): the
        // stored context's error is the answer, after one read, not a loop of guesses.
        await Admin.SetBillingAnchorAsync(Subject, Anchor);

        var act = () => Guarded(() => Tracker.TryConsumeAsync(Subject, "seconds", 1, new UsageOptions { At = Anchor - Duration.FromDays(1) }));

        await act.Should().ThrowAsync<PeriodOutOfRangeException>();
        _store.WriteAttempts.Should().Be(0);
    }

    [Fact]
    public async Task A_subject_that_changes_before_every_write_fails_after_three_attempts_with_nothing_written()
    {
        _store.AlwaysChanged = true;

        var act = () => Guarded(() => Tracker.TryConsumeAsync(Subject, "images"));

        var failure = (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which;
        (failure.OutcomeUnknown, failure.IsTransient).Should().Be((false, true), "nothing was written, and trying again later can succeed");
        failure.Message.Should().ContainAll("consume", "images", Subject);
        failure.InnerException!.Message.Should().Contain("changed on each of 3 attempts");
        _store.WriteAttempts.Should().Be(3, "docs/architecture.md: at most three attempts");
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "images").Used.Should().Be(0);
    }

    [Fact]
    public async Task The_three_attempts_count_only_writes_sent_not_a_guess_that_gave_no_write()
    {
        await Admin.SetBillingAnchorAsync(Subject, Anchor);
        _store.AlwaysChanged = true;

        var act = () => Guarded(() => Tracker.TryConsumeAsync(Subject, "seconds", 1));

        await act.Should().ThrowAsync<QuotaStoreUnavailableException>();
        _store.WriteAttempts.Should().Be(3);
    }

    [Fact]
    public async Task A_refusal_without_the_current_context_makes_the_tracker_read_it_instead_of_its_cached_one()
    {
        _store.SendsCurrentContext = false;
        (await Tracker.TryConsumeAsync(Subject, "images", 5)).Used.Should().Be(5); // caches the accepted guess: free plan

        // Another instance moves the subject to pro; this instance's cache has not heard of it.
        await _subjects.ChangeBehindTheCache(Subject, "pro");
        var decision = await Guarded(() => Tracker.TryConsumeAsync(Subject, "images", 5));

        (decision.Allowed, decision.Used, decision.Limit).Should().Be((true, 10L, FeatureLimit.Hard(50)));
        _store.WriteAttempts.Should().Be(3, "one write for the first call; the second was refused once, then written with the stored context");
    }

    [Fact]
    public async Task A_refusal_with_the_current_context_is_written_again_with_that_context()
    {
        (await Tracker.TryConsumeAsync(Subject, "images", 5)).Used.Should().Be(5);

        await _subjects.ChangeBehindTheCache(Subject, "pro");
        var decision = await Guarded(() => Tracker.TryConsumeAsync(Subject, "images", 5));

        (decision.Allowed, decision.Limit).Should().Be((true, FeatureLimit.Hard(50)));
        _store.WriteAttempts.Should().Be(3);
    }

    [Fact]
    public async Task A_guess_the_store_accepted_is_cached_so_the_next_write_does_not_guess_again()
    {
        using var lookups = new SubjectCacheLookups(_services.GetRequiredService<IMeterFactory>());

        await Tracker.TryConsumeAsync(Subject, "images");
        await Tracker.TryConsumeAsync(Subject, "images");

        (lookups.Misses, lookups.Hits).Should().Be((1, 1), "the first write guessed; the store accepted version 0, so the guess is the subject's context");
        _store.WriteAttempts.Should().Be(2);
    }

    /// <summary>Counts the subject cache's hits and misses of one container (its meter factory), not of other tests.</summary>
    private sealed class SubjectCacheLookups : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _hits;
        private int _misses;

        public SubjectCacheLookups(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("quotakit.subject_cache.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "quotakit.subject_cache.hits")
                {
                    Interlocked.Add(ref _hits, (int)value);
                }
                else if (instrument.Name == "quotakit.subject_cache.misses")
                {
                    Interlocked.Add(ref _misses, (int)value);
                }
            });
            _listener.Start();
        }

        public int Hits => Volatile.Read(ref _hits);

        public int Misses => Volatile.Read(ref _misses);

        public void Dispose() => _listener.Dispose();
    }
}
