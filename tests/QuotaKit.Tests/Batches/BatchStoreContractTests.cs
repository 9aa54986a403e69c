using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;
using QuotaKit.Tests.Tracking;

namespace QuotaKit.Tests.Batches;

/// <summary>
/// The batch part of the store contract as the core uses it: a store written before batches existed keeps working
/// through the default <see cref="UsageStore.WriteBatchAsync"/>, and the retry policy for batches follows the single
/// write's (retry what cannot count twice, report the rest as outcome unknown).
/// </summary>
public class BatchStoreContractTests
{
    [Fact]
    public async Task A_store_without_a_batch_write_records_batches_one_write_at_a_time()
    {
        var store = new SingleWriteStore();
        await using var services = Build(store);

        var results = await services.GetRequiredService<IUsageMeter>().RecordAsync(
            [new("u1", "calls", 2), new("u2", "calls", 1), new("u1", "calls", 3, UsageOptions.WithIdempotencyKey("k")), new("u1", "calls", 3, UsageOptions.WithIdempotencyKey("k"))]);

        results.Select(r => (r.Decision!.Used, r.Decision.IsReplay)).Should().Equal((2L, false), (1L, false), (5L, false), (5L, true));
        store.Writes.Should().Be(4);
    }

    [Fact]
    public async Task The_default_batch_write_answers_a_failure_after_the_first_write_per_record_and_sends_nothing_after_it()
    {
        var store = new SingleWriteStore { FailAtWrite = 2, FailOutcomeUnknown = true };
        await using var services = Build(store);

        var results = await services.GetRequiredService<IUsageMeter>().RecordAsync(
            [new("u1", "calls"), new("u1", "calls"), new("u1", "calls"), new("u1", "calls")]);

        results[0].Decision!.Used.Should().Be(1);
        results[1].Decision!.Used.Should().Be(2);
        results[2].Error.Should().BeOfType<QuotaStoreUnavailableException>().Which.OutcomeUnknown.Should().BeTrue();
        results[3].Error.Should().BeOfType<QuotaStoreUnavailableException>().Which.OutcomeUnknown.Should().BeFalse();
        store.Writes.Should().Be(3);
    }

    [Fact]
    public async Task After_a_batch_failure_that_may_have_committed_only_the_records_with_keys_are_sent_again()
    {
        var store = new FlakyBatchStore { CommitThenFail = true };
        await using var services = Build(store);

        var results = await services.GetRequiredService<IUsageMeter>().RecordAsync(
            [new("u1", "calls", 1, UsageOptions.WithIdempotencyKey("k1")), new("u1", "calls", 10)]);

        // The first attempt committed both; the retry sent only the keyed record, which finds its own first call.
        (results[0].Decision!.Used, results[0].Decision!.IsReplay).Should().Be((1L, false));
        results[1].Error.Should().BeOfType<QuotaStoreUnavailableException>().Which.OutcomeUnknown.Should().BeTrue();
        store.BatchSizes.Should().Equal(2, 1);
    }

    [Fact]
    public async Task After_a_batch_failure_that_wrote_nothing_the_whole_batch_is_sent_again()
    {
        var store = new FlakyBatchStore { CommitThenFail = false };
        await using var services = Build(store);

        var results = await services.GetRequiredService<IUsageMeter>().RecordAsync([new("u1", "calls", 1), new("u1", "calls", 10)]);

        results.Select(r => r.Decision!.Used).Should().Equal(1L, 11L);
        store.BatchSizes.Should().Equal(2, 2);
    }

    private static ServiceProvider Build(UsageStore store) =>
        new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("calls", PeriodPolicy.Day)
                .AddPlan("free", p => p.Unlimited("calls"))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseStore(_ => store, _ => new InMemorySubjectStore()))
            .Services.BuildServiceProvider();

    private static QuotaStoreUnavailableException Outage(bool outcomeUnknown) =>
        new("a test write", outcomeUnknown, isTransient: true, new TimeoutException("simulated outage"));

    /// <summary>A third-party store from before batches: it implements only the single write.</summary>
    private sealed class SingleWriteStore : DelegatingStore
    {
        public int Writes { get; private set; }

        public int FailAtWrite { get; init; } = -1;

        public bool FailOutcomeUnknown { get; init; }

        public override ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken) =>
            Writes++ == FailAtWrite ? throw Outage(FailOutcomeUnknown) : Inner.WriteAsync(write, cancellationToken);
    }

    /// <summary>A batch store whose first batch fails: after committing it (outcome unknown), or before (nothing written).</summary>
    private sealed class FlakyBatchStore : DelegatingStore
    {
        public List<int> BatchSizes { get; } = [];

        public bool CommitThenFail { get; init; }

        public override ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken) =>
            Inner.WriteAsync(write, cancellationToken);

        public override async ValueTask<IReadOnlyList<UsageWriteResult>> WriteBatchAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
        {
            BatchSizes.Add(writes.Count);
            if (BatchSizes.Count > 1)
            {
                return await Inner.WriteBatchAsync(writes, cancellationToken);
            }

            if (CommitThenFail)
            {
                await Inner.WriteBatchAsync(writes, cancellationToken);
            }

            throw Outage(CommitThenFail);
        }
    }
}
