using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;
using QuotaKit.Tests.Tracking;

namespace QuotaKit.Tests.Batches;

/// <summary>
/// The batch part of the store contract as the core uses it, on one store that fails on cue: a store written before
/// batches existed keeps working through the default <see cref="UsageStore.WriteBatchAsync"/> (one write at a time,
/// nothing sent after a failure), and the retry policy for batches (StoreCalls.WriteBatchAsync) follows the single
/// write's: after a transient failure that wrote nothing the batch is sent again; after one that may have committed,
/// only the records with an idempotency key are (a committed first attempt comes back as their own first call), and
/// the others are answered as outcome unknown.
/// </summary>
public sealed class BatchStoreContractTests : IAsyncDisposable
{
    private const string Subject = "batch-contract-subject";
    private readonly ScriptedFailureStore _store = new();
    private readonly ServiceProvider _services;

    public BatchStoreContractTests()
    {
        _services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddFeature("events", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5).Unlimited("events"))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseStore(_ => _store, _ => new InMemorySubjectStore()))
            .Services.BuildServiceProvider();
    }

    private IUsageMeter Meter => _services.GetRequiredService<IUsageMeter>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_store_without_a_batch_write_records_batches_one_write_at_a_time()
    {
        var results = await Meter.RecordAsync([
            new(Subject, "events", 2), new("other", "events", 1), Keyed("k", 3), Keyed("k", 3)]);

        results.Select(r => (r.Decision!.Used, r.Decision.IsReplay)).Should().Equal((2L, false), (1L, false), (5L, false), (5L, true));
        _store.WriteAttempts.Should().Be(4);
    }

    [Fact]
    public async Task A_failure_after_the_first_write_of_a_default_batch_fails_that_record_and_sends_none_after_it()
    {
        var failure = ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false);
        _store.WritesBeforeFailures = 1;
        _store.WriteFailures.Enqueue((false, failure));

        var results = await Meter.RecordAsync(
            [new UsageRecord(Subject, "images", 1), new UsageRecord(Subject, "images", 2), new UsageRecord(Subject, "images", 3)]);

        results[0].Decision!.Used.Should().Be(1);
        results[1].Error.Should().BeSameAs(failure);
        var notSent = results[2].Error.Should().BeOfType<QuotaStoreUnavailableException>().Subject;
        notSent.OutcomeUnknown.Should().BeFalse("the record was never sent");
        notSent.InnerException!.Message.Should().Contain("not sent");
        _store.WriteAttempts.Should().Be(2);
        (await _services.GetRequiredService<IUsageTracker>().GetUsageAsync(Subject)).Single(u => u.FeatureKey == "images").Used.Should().Be(1);
    }

    [Fact]
    public async Task A_failure_of_the_first_write_of_a_default_batch_fails_every_record_with_that_failure()
    {
        // The first write's failure is thrown, so the tracker fails the whole chunk with it: nothing of the chunk was written.
        var failure = ScriptedFailureStore.Failure(outcomeUnknown: false, transient: false);
        _store.WriteFailures.Enqueue((false, failure));

        var results = await Meter.RecordAsync(
            [new UsageRecord(Subject, "images", 1), new UsageRecord(Subject, "images", 2)]);

        results.Select(r => r.Error).Should().AllSatisfy(error => error.Should().BeSameAs(failure));
        _store.WriteAttempts.Should().Be(1);
    }

    [Fact]
    public async Task A_record_that_would_overflow_its_counter_fails_alone_in_a_default_batch()
    {
        var results = await Meter.RecordAsync(
            [new UsageRecord(Subject, "events", long.MaxValue), new UsageRecord(Subject, "events", 1), new UsageRecord(Subject, "images", 1)]);

        results[0].Decision!.Used.Should().Be(long.MaxValue);
        results[1].Error.Should().BeOfType<InvalidAmountException>();
        results[2].Decision!.Used.Should().Be(1, "a record's own error does not stop the records after it");
    }

    [Fact]
    public async Task The_default_batch_refuses_a_missing_list_by_naming_the_argument()
    {
        var act = async () => await _store.WriteBatchAsync(null!, CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("writes");
    }

    [Fact]
    public async Task A_batch_whose_transient_failure_wrote_nothing_is_sent_again_after_PrepareRetry()
    {
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var results = await Meter.RecordAsync([Unkeyed(1), Unkeyed(2)]);

        results.Select(r => r.Decision!.Used).Should().Equal(1, 3);
        _store.Retries.Should().Be(1);
    }

    [Fact]
    public async Task After_a_failure_that_may_have_committed_only_the_keyed_records_are_sent_again_each_once()
    {
        var first = ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true);
        _store.WriteFailures.Enqueue((true, first)); // the first record was written, then the reply was lost

        var results = await Meter.RecordAsync([Keyed("a", 1), Unkeyed(10), Keyed("b", 100)]);

        (results[0].Decision!.Used, results[0].Decision!.IsReplay).Should().Be((1L, false), "its committed first attempt is its own call");
        results[1].Error.Should().BeSameAs(first, "without a key it cannot be sent again safely: its outcome stays unknown");
        results[2].Decision!.Used.Should().Be(101);
        _store.Retries.Should().Be(1);
        (await UsedAsync()).Should().Be(101, "the keyed records count once, the unkeyed one was not sent again");
    }

    [Fact]
    public async Task A_batch_of_keyed_records_only_is_sent_again_after_a_failure_that_may_have_committed()
    {
        _store.WriteFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));

        var results = await Meter.RecordAsync([Keyed("a", 1), Keyed("b", 2)]);

        results.Select(r => r.Decision!.Used).Should().Equal(1, 3);
        _store.Retries.Should().Be(1);
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_not_sent_again_even_for_keyed_records()
    {
        var failure = ScriptedFailureStore.Failure(outcomeUnknown: true, transient: false);
        _store.WriteFailures.Enqueue((false, failure));

        var results = await Meter.RecordAsync([Keyed("a", 1), Unkeyed(2)]);

        results.Select(r => r.Error).Should().AllSatisfy(error => error.Should().BeSameAs(failure));
        (_store.WriteAttempts, _store.Retries).Should().Be((1, 0));
    }

    [Fact]
    public async Task When_the_keyed_retry_fails_too_every_record_of_the_batch_has_an_unknown_outcome()
    {
        // The first attempt may have committed; the retry wrote nothing: what the first attempt did is still unknown.
        _store.WriteFailures.Enqueue((true, ScriptedFailureStore.Failure(outcomeUnknown: true, transient: true)));
        _store.WriteFailures.Enqueue((false, ScriptedFailureStore.Failure(outcomeUnknown: false, transient: true)));

        var results = await Meter.RecordAsync([Keyed("a", 1), Unkeyed(2)]);

        var error = results[0].Error.Should().BeOfType<QuotaStoreUnavailableException>().Subject;
        results[1].Error.Should().BeSameAs(error);
        error.OutcomeUnknown.Should().BeTrue();
        error.Message.Should().Contain("batch of 2");
        error.InnerException.Should().BeOfType<IOException>("the cause is the store's own error, not the wrapper around it");
    }

    private static UsageRecord Keyed(string key, long amount) => new(Subject, "events", amount, UsageOptions.WithIdempotencyKey(key));

    private static UsageRecord Unkeyed(long amount) => new(Subject, "events", amount);

    private async Task<long> UsedAsync() =>
        (await _services.GetRequiredService<IUsageTracker>().GetUsageAsync(Subject)).Single(u => u.FeatureKey == "events").Used;
}
