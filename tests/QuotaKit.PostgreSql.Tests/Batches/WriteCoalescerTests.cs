using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Batches;

/// <summary>
/// The coalescer's own rules, without a server: its two send functions are fakes that the test holds on a gate, so
/// which writes queue, which go together and what each caller is answered are decided by the test, not by timing.
/// </summary>
public sealed class WriteCoalescerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeSends _sends = new();

    [Fact]
    public async Task Writes_that_queue_behind_a_busy_sender_go_in_batches_of_at_most_the_maximum_in_arrival_order()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 2);
        var writes = await WritesAsync(5);

        var first = coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask();   // alone: nothing waits
        var queued = writes.Skip(1).Select(w => coalescer.WriteAsync(w, CancellationToken.None).AsTask()).ToList();
        _sends.Gate.SetResult();
        await Task.WhenAll(queued.Append(first)).WaitAsync(Patience);

        _sends.SentAlone.Should().Equal(writes[0]);
        _sends.Sent.Select(batch => string.Join(",", batch.Select(w => writes.IndexOf(w)))).Should().Equal("1,2", "3,4");
        (await first).Should().Be(_sends.ResultOf(writes[0]));
        for (var i = 1; i < writes.Count; i++)
        {
            (await queued[i - 1]).Should().Be(_sends.ResultOf(writes[i]), "each caller gets its own write's answer");
        }

        (coalescer.LoneWrites, coalescer.Batches).Should().Be((1, 2));
    }

    [Fact]
    public async Task A_write_left_alone_in_the_queue_is_sent_as_a_single_call_unless_lone_writes_go_as_batches()
    {
        var writes = await WritesAsync(2);
        var single = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var first = single.WriteAsync(writes[0], CancellationToken.None).AsTask();
        var second = single.WriteAsync(writes[1], CancellationToken.None).AsTask();
        _sends.Gate.SetResult();
        await Task.WhenAll(first, second).WaitAsync(Patience);

        _sends.SentAlone.Should().Equal(writes[0], writes[1]);
        (single.LoneWrites, single.Batches).Should().Be((2, 0));

        var batches = new FakeSends();
        var asBatches = batches.Coalescer(maxSenders: 1, maxBatch: 10, loneWritesAsBatches: true);
        batches.Gate.SetResult();
        await asBatches.WriteAsync(writes[0], CancellationToken.None).AsTask().WaitAsync(Patience);

        batches.SentAlone.Should().BeEmpty();
        batches.Sent.Should().ContainSingle().Which.Should().Equal(writes[0]);
        (asBatches.LoneWrites, asBatches.Batches).Should().Be((0, 1));
    }

    [Fact]
    public async Task A_batch_that_fails_as_a_whole_fails_each_of_its_writes_with_that_failure()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var writes = await WritesAsync(3);
        var failure = new QuotaStoreUnavailableException("a test batch", outcomeUnknown: true, isTransient: true, new TimeoutException("simulated"));
        _sends.BatchFailure = failure;

        var first = coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask();
        var queued = writes.Skip(1).Select(w => coalescer.WriteAsync(w, CancellationToken.None).AsTask()).ToList();
        _sends.Gate.SetResult();
        await first.WaitAsync(Patience);

        foreach (var write in queued)
        {
            (await FluentActions.Awaiting(() => write.WaitAsync(Patience)).Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.Should().BeSameAs(failure);
        }
    }

    [Fact]
    public async Task A_record_refused_inside_a_batch_fails_only_its_own_write()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var writes = await WritesAsync(3);
        var refusal = new InvalidAmountException(1, "a test refusal.");
        _sends.Refusals[writes[2]] = refusal;

        var first = coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask();
        var accepted = coalescer.WriteAsync(writes[1], CancellationToken.None).AsTask();
        var refused = coalescer.WriteAsync(writes[2], CancellationToken.None).AsTask();
        _sends.Gate.SetResult();

        (await accepted.WaitAsync(Patience)).Should().Be(_sends.ResultOf(writes[1]));
        (await FluentActions.Awaiting(() => refused.WaitAsync(Patience)).Should().ThrowAsync<InvalidAmountException>()).Which.Should().BeSameAs(refusal);
        await first.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_single_queued_write_whose_send_fails_fails_its_caller()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var writes = await WritesAsync(2);
        var failure = new QuotaStoreUnavailableException("a test write", outcomeUnknown: false, isTransient: true, new TimeoutException("simulated"));
        _sends.SingleFailures[writes[1]] = failure;

        var first = coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask();
        var second = coalescer.WriteAsync(writes[1], CancellationToken.None).AsTask();
        _sends.Gate.SetResult();

        (await FluentActions.Awaiting(() => second.WaitAsync(Patience)).Should().ThrowAsync<QuotaStoreUnavailableException>()).Which.Should().BeSameAs(failure);
        await first.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_queued_write_whose_caller_gives_up_is_never_sent_and_ends_cancelled()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var writes = await WritesAsync(3);
        using var givingUp = new CancellationTokenSource();

        var first = coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask();
        var abandoned = coalescer.WriteAsync(writes[1], givingUp.Token).AsTask();
        var kept = coalescer.WriteAsync(writes[2], CancellationToken.None).AsTask();
        await givingUp.CancelAsync();
        _sends.Gate.SetResult();
        await Task.WhenAll(first, kept).WaitAsync(Patience);

        await FluentActions.Awaiting(() => abandoned.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        _sends.SentAlone.Concat(_sends.Sent.SelectMany(b => b)).Should().NotContain(writes[1]);
        (await kept).Should().Be(_sends.ResultOf(writes[2]));
    }

    [Fact]
    public async Task A_write_whose_caller_gave_up_before_the_call_is_refused_and_never_sent()
    {
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10);
        var writes = await WritesAsync(1);
        _sends.Gate.SetResult();

        var act = () => coalescer.WriteAsync(writes[0], new CancellationToken(canceled: true)).AsTask().WaitAsync(Patience);

        await act.Should().ThrowAsync<OperationCanceledException>();
        _sends.SentAlone.Should().BeEmpty();
    }

    [Fact]
    public async Task No_more_than_the_maximum_of_senders_send_at_once()
    {
        var coalescer = _sends.Coalescer(maxSenders: 2, maxBatch: 1);
        var writes = await WritesAsync(6);

        var calls = writes.Select(w => coalescer.WriteAsync(w, CancellationToken.None).AsTask()).ToList();
        await _sends.WaitForInFlightAsync(2);
        var inFlightBeforeRelease = _sends.InFlight;
        _sends.Gate.SetResult();
        await Task.WhenAll(calls).WaitAsync(Patience);

        inFlightBeforeRelease.Should().Be(2);
        _sends.MostInFlight.Should().Be(2);
        _sends.SentAlone.Concat(_sends.Sent.SelectMany(b => b)).Should().BeEquivalentTo(writes, "every write is sent once");
    }

    [Fact]
    public async Task A_write_queued_at_the_instant_the_only_sender_leaves_is_sent_all_the_same()
    {
        // The sender has looked at the queue for the last time and is leaving: a write queued now sees it still running
        // and starts no sender of its own. The race test below reaches this instant by chance; this one, every time.
        var writes = await WritesAsync(2);
        _sends.Gate.SetResult();
        var coalescer = _sends.Coalescer(maxSenders: 1, maxBatch: 10, loneWritesAsBatches: true);
        Task<UsageWriteResult>? queuedAsTheSenderLeaves = null;
        coalescer.SenderLeaving = () => queuedAsTheSenderLeaves ??= coalescer.WriteAsync(writes[1], CancellationToken.None).AsTask();

        await coalescer.WriteAsync(writes[0], CancellationToken.None).AsTask().WaitAsync(Patience);

        queuedAsTheSenderLeaves.Should().NotBeNull("the first write's sender left once");
        (await queuedAsTheSenderLeaves!.WaitAsync(Patience)).Should().Be(_sends.ResultOf(writes[1]), "the leaving sender's second look sends it");
        _sends.Sent.Should().HaveCount(2, "one batch per write: the late write came after the first batch was taken");
    }

    [Fact]
    public async Task A_write_queued_while_the_only_sender_is_leaving_is_still_sent()
    {
        // The instant between a sender's last look at the queue and its exit: a write queued then sees the sender still
        // running and starts none, so only the leaving sender's second look can send it. The test above holds a sender
        // there with a seam; here two real threads race for it, round after round, each on a coalescer of its own: one sends its
        // write (the gate is open, so its sender runs start to end on its thread), the other queues a write a little
        // later each round, sweeping across the sender's run. A write left behind stays unanswered.
        const int rounds = 20_000;
        var writes = await WritesAsync(2);
        _sends.Gate.SetResult();
        var coalescers = Enumerable.Range(0, rounds).Select(_ => _sends.Coalescer(maxSenders: 1, maxBatch: 10, loneWritesAsBatches: true)).ToArray();
        var calls = new Task<UsageWriteResult>[rounds * 2];
        var arrivals = 0;
        var writers = Enumerable.Range(0, 2).Select(writer => new Thread(() =>
        {
            for (var round = 0; round < rounds; round++)
            {
                // Both threads spin until both arrived, so they leave within a fraction of a microsecond of each other
                // (yielding now and then, in case the other thread is not running).
                Interlocked.Increment(ref arrivals);
                for (var spins = 1; Volatile.Read(ref arrivals) < (round + 1) * 2; spins++)
                {
                    if (spins % 4096 == 0)
                    {
                        Thread.Yield();
                    }
                }

                if (writer == 1)
                {
                    Thread.SpinWait(round % 128);
                }

                calls[(round * 2) + writer] = coalescers[round].WriteAsync(writes[writer], CancellationToken.None).AsTask();
            }
        })).ToList();
        writers.ForEach(thread => thread.Start());
        writers.ForEach(thread => thread.Join());

        try
        {
            await Task.WhenAll(calls).WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            // Counted below, with the rounds named.
        }

        Enumerable.Range(0, calls.Length).Where(i => !calls[i].IsCompleted).Select(i => $"round {i / 2}, writer {i % 2}")
            .Should().BeEmpty("every queued write is sent, even one queued while the last sender was leaving");
    }

    // Real writes, as the tracker builds them, captured from an in-memory pipeline: the coalescer only passes them on.
    private static async Task<List<UsageWrite>> WritesAsync(int count)
    {
        var capture = new RecordingUsageStore(new InMemoryUsageStore());
        await using var services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("calls", PeriodPolicy.Day)
                .AddPlan("free", p => p.Unlimited("calls"))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 6, 2, 12, 0)))
                .UseStore(_ => capture, _ => new InMemorySubjectStore()))
            .Services.BuildServiceProvider();
        for (var i = 0; i < count; i++)
        {
            await services.GetRequiredService<IUsageTracker>().IncrementAsync($"writer-{i}", "calls");
        }

        return [.. capture.Writes];
    }

    /// <summary>
    /// The coalescer's send functions: each waits for <see cref="Gate"/>, then answers every write with a result of its
    /// own (or the failure set for it), and records what was sent, alone or in which batch.
    /// </summary>
    private sealed class FakeSends
    {
        private readonly Dictionary<UsageWrite, UsageWriteResult> _results = [];
        private readonly object _lock = new();
        private int _inFlight;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<UsageWrite> SentAlone { get; } = [];

        public List<List<UsageWrite>> Sent { get; } = [];

        public Dictionary<UsageWrite, QuotaKitException> Refusals { get; } = [];

        public Dictionary<UsageWrite, Exception> SingleFailures { get; } = [];

        public Exception? BatchFailure { get; set; }

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MostInFlight { get; private set; }

        public WriteCoalescer Coalescer(int maxSenders, int maxBatch, bool loneWritesAsBatches = false) =>
            new(SendOneAsync, SendBatchAsync, maxSenders, maxBatch, loneWritesAsBatches);

        public UsageWriteResult ResultOf(UsageWrite write)
        {
            lock (_lock)
            {
                // A result struct that tells writes apart: the context's version is the write's number.
                return _results.TryGetValue(write, out var result)
                    ? result
                    : _results[write] = UsageWriteResult.SubjectChanged(new SubjectContext { Version = _results.Count + 1 });
            }
        }

        public async Task WaitForInFlightAsync(int count)
        {
            for (var waited = TimeSpan.Zero; InFlight < count && waited < Patience; waited += TimeSpan.FromMilliseconds(5))
            {
                await Task.Delay(5);
            }
        }

        private async ValueTask<UsageWriteResult> SendOneAsync(UsageWrite write, CancellationToken cancellationToken)
        {
            Enter();
            lock (_lock)
            {
                SentAlone.Add(write);
            }

            await Gate.Task;
            Exit();
            return SingleFailures.TryGetValue(write, out var failure) ? throw failure : ResultOf(write);
        }

        private async ValueTask<IReadOnlyList<UsageWriteResult>> SendBatchAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
        {
            Enter();
            lock (_lock)
            {
                Sent.Add([.. writes]); // a copy: the coalescer reuses its list for the next batch
            }

            await Gate.Task;
            Exit();
            return BatchFailure is { } failure
                ? throw failure
                : writes.Select(w => Refusals.TryGetValue(w, out var refusal) ? UsageWriteResult.Failed(refusal) : ResultOf(w)).ToList();
        }

        private void Enter()
        {
            var now = Interlocked.Increment(ref _inFlight);
            lock (_lock)
            {
                MostInFlight = Math.Max(MostInFlight, now);
            }
        }

        private void Exit() => Interlocked.Decrement(ref _inFlight);
    }
}
