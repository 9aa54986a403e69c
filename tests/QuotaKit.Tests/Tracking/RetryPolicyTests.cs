using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// The tracker's one retry policy for every store (StoreCalls): a transient failure is tried once more, after
/// PrepareRetry, only when that cannot count twice; once an attempt's outcome is unknown, so is the call's.
/// </summary>
public sealed class RetryPolicyTests : IAsyncDisposable
{
    private const string Subject = "retry-subject";
    private readonly ScriptedFailureStore _store = new();
    private readonly VersionedSubjectStore _subjects = new();
    private readonly ServiceProvider _services;

    public RetryPolicyTests()
    {
        _services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseStore(_ => _store, _ => _subjects))
            .Services.BuildServiceProvider();
    }

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_transient_failure_that_wrote_nothing_is_retried_once()
    {
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var decision = await Tracker.TryConsumeAsync(Subject, "images");

        decision.Used.Should().Be(1);
        (_store.WriteAttempts, _store.Retries).Should().Be((2, 1));
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_not_retried()
    {
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false)));

        var act = () => Tracker.TryConsumeAsync(Subject, "images");

        (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.OutcomeUnknown.Should().BeFalse();
        (_store.WriteAttempts, _store.Retries).Should().Be((1, 0));
    }

    [Fact]
    public async Task A_write_that_may_have_committed_without_an_idempotency_key_is_not_retried()
    {
        _store.WriteFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var act = () => Tracker.TryConsumeAsync(Subject, "images");

        (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.OutcomeUnknown.Should().BeTrue();
        (_store.WriteAttempts, _store.Retries).Should().Be((1, 0));
    }

    [Fact]
    public async Task A_keyed_write_that_committed_before_its_reply_was_lost_is_retried_and_answers_as_the_first_call()
    {
        _store.WriteFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var decision = await Tracker.TryConsumeAsync(Subject, "images", 2, UsageOptions.WithIdempotencyKey("order-1"));

        (decision.Used, decision.IsReplay).Should().Be((2L, false));
        (_store.WriteAttempts, _store.Retries).Should().Be((2, 1));
    }

    [Fact]
    public async Task After_an_unknown_outcome_a_retry_that_wrote_nothing_still_reports_the_outcome_unknown()
    {
        _store.WriteFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var act = () => Tracker.TryConsumeAsync(Subject, "images", 1, UsageOptions.WithIdempotencyKey("order-2"));

        var thrown = (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which;
        thrown.OutcomeUnknown.Should().BeTrue("the first attempt may have committed");
        thrown.IsTransient.Should().BeTrue();
        thrown.InnerException.Should().BeOfType<IOException>("the cause is the failure underneath, not a wrapper");
        (_store.WriteAttempts, _store.Retries).Should().Be((2, 1));
    }

    [Fact]
    public async Task Two_failures_that_wrote_nothing_end_the_call_with_the_second_and_nothing_written()
    {
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));
        var second = ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true);
        _store.WriteFailures.Enqueue((false, second));

        var act = () => Tracker.TryConsumeAsync(Subject, "images");

        (await act.Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.Should().BeSameAs(second);
        (_store.WriteAttempts, _store.Retries).Should().Be((2, 1));
        (await Tracker.CheckAsync(Subject, "images")).Used.Should().Be(0);
    }

    [Fact]
    public async Task A_subjects_read_for_a_check_is_retried_once_after_a_transient_failure_but_not_after_another()
    {
        // The subject is read (not cached yet) before the counter: its failure is retried like the counter's.
        _subjects.ReadFailures.Enqueue(ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true));

        (await Tracker.CheckAsync(Subject, "images")).Outcome.Should().Be(UsageOutcome.Allowed);
        (_subjects.ReadAttempts, _store.Retries).Should().Be((2, 1));

        _subjects.ReadFailures.Enqueue(ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false));
        var act = () => Tracker.CheckAsync(Subject + "-uncached", "images");

        await act.Should().ThrowAsync<QuotaStoreUnavailableException>();
        (_subjects.ReadAttempts, _store.Retries).Should().Be((3, 1));
    }

    [Fact]
    public async Task A_read_is_retried_once_after_a_transient_failure_but_not_after_another()
    {
        await Tracker.TryConsumeAsync(Subject, "images", 3);
        _store.ReadFailures.Enqueue(ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true));

        (await Tracker.CheckAsync(Subject, "images")).Used.Should().Be(3);
        (_store.ReadAttempts, _store.Retries).Should().Be((2, 1));

        _store.ReadFailures.Enqueue(ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false));
        var act = () => Tracker.GetUsageAsync(Subject);

        await act.Should().ThrowAsync<QuotaStoreUnavailableException>();
        (_store.ReadAttempts, _store.Retries).Should().Be((3, 1));
    }
}
