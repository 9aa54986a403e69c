using System.Collections.Concurrent;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Gathers the writes that callers in this process make at the same time into one <c>quotakit.record_usage_batch_v8</c>
/// call: one round trip, one transaction and one commit for all of them. There is no timer: a write that arrives while
/// fewer than <c>maxSenders</c> batches are in flight is sent at once (alone, as a single call); writes that arrive while
/// they are all in flight wait for the first one to finish and go together in the next batch, as Npgsql's multiplexing
/// gathers commands while the connection is busy. Each caller's task completes only after its batch committed.
/// </summary>
internal sealed class WriteCoalescer
{
    private readonly Func<UsageWrite, CancellationToken, ValueTask<UsageWriteResult>> _sendOne;
    private readonly Func<IReadOnlyList<UsageWrite>, CancellationToken, ValueTask<IReadOnlyList<UsageWriteResult>>> _sendBatch;
    private readonly int _maxSenders;
    private readonly int _maxBatch;
    private readonly bool _loneWritesAsBatches;
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private int _senders;
    private long _loneWrites;
    private long _batches;

    public WriteCoalescer(
        Func<UsageWrite, CancellationToken, ValueTask<UsageWriteResult>> sendOne,
        Func<IReadOnlyList<UsageWrite>, CancellationToken, ValueTask<IReadOnlyList<UsageWriteResult>>> sendBatch,
        int maxSenders, int maxBatch, bool loneWritesAsBatches)
    {
        _sendOne = sendOne;
        _sendBatch = sendBatch;
        _maxSenders = maxSenders;
        _maxBatch = maxBatch;
        _loneWritesAsBatches = loneWritesAsBatches;
    }

    /// <summary>How many writes were sent alone (no other write was waiting), for tests and diagnostics.</summary>
    public long LoneWrites => Interlocked.Read(ref _loneWrites);

    /// <summary>How many batches of several writes were sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// For tests: runs on a sender's thread after its last look at the queue, just before it leaves. That instant is where
    /// a write can queue unseen; no gate in a send function can hold a sender there, and a race reaches it only by chance.
    /// </summary>
    internal Action? SenderLeaving { get; set; }

    public ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_loneWritesAsBatches && _queue.IsEmpty && TryEnterSender())
        {
            // Nothing waits and a connection is free: this write goes now, alone, on the caller's own flow (no hand-off).
            return SendAloneAsync(write, cancellationToken);
        }

        var pending = new PendingWrite(write, cancellationToken);
        _queue.Enqueue(pending);
        StartSenderIfIdle();
        return new ValueTask<UsageWriteResult>(pending.Task);
    }

    private bool TryEnterSender()
    {
        var senders = Volatile.Read(ref _senders);
        return senders < _maxSenders && Interlocked.CompareExchange(ref _senders, senders + 1, senders) == senders;
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<UsageWriteResult> SendAloneAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _loneWrites);
            return await _sendOne(write, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _senders);
            StartSenderIfIdle(); // writes that queued meanwhile go in a batch of their own
        }
    }

    /// <summary>Starts a sender when writes wait and fewer than the maximum are running; the sender runs on this thread until it awaits.</summary>
    private void StartSenderIfIdle()
    {
        while (!_queue.IsEmpty)
        {
            if (Volatile.Read(ref _senders) >= _maxSenders)
            {
                return; // a running sender takes the write when its batch is done
            }

            if (TryEnterSender())
            {
                _ = SendUntilEmptyAsync();

                // Stryker disable once Statement : equivalent. Looping on would start more senders while writes wait,
                // still bounded by TryEnterSender.
                return;
            }
        }
    }

    private async Task SendUntilEmptyAsync()
    {
        try
        {
            var batch = new List<PendingWrite>();
            var writes = new List<UsageWrite>(); // reused for each batch of this sender: the store keeps no reference to it
            while (Take(batch))
            {
                await SendAsync(batch, writes).ConfigureAwait(false);
                batch.Clear();
                writes.Clear();
            }
        }
        finally
        {
            SenderLeaving?.Invoke();
            Interlocked.Decrement(ref _senders);

            // A write queued after this sender's last look, while every sender was busy, must not be left waiting.
            StartSenderIfIdle();
        }
    }

    private bool Take(List<PendingWrite> batch)
    {
        while (batch.Count < _maxBatch && _queue.TryDequeue(out var pending))
        {
            if (pending.TryTake())
            {
                batch.Add(pending);
            }
        }

        return batch.Count > 0;
    }

    private async Task SendAsync(List<PendingWrite> batch, List<UsageWrite> writes)
    {
        // Once sent, a write is answered whatever happens to its caller's token: a write the server committed is reported.
        if (batch.Count == 1 && !_loneWritesAsBatches)
        {
            Interlocked.Increment(ref _loneWrites);
            try
            {
                batch[0].Complete(await _sendOne(batch[0].Write, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception exception)
            {
                batch[0].Fail(exception);
            }

            return;
        }

        Interlocked.Increment(ref _batches);
        IReadOnlyList<UsageWriteResult> results;
        try
        {
            foreach (var pending in batch)
            {
                writes.Add(pending.Write);
            }

            results = await _sendBatch(writes, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            batch.ForEach(p => p.Fail(exception));
            return;
        }

        // Stryker disable once Equality : equivalent for callers. With <=, every write is answered before the read past the
        // end throws, and the sender's finally starts another sender for what is queued.
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Error is { } error)
            {
                batch[i].Fail(error);
            }
            else
            {
                batch[i].Complete(results[i]);
            }
        }
    }

    /// <summary>One caller's write: queued, then taken by a sender, or cancelled by its caller before that.</summary>
    private sealed class PendingWrite
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int Cancelled = 2;

        private readonly TaskCompletionSource<UsageWriteResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private int _state;

        public PendingWrite(UsageWrite write, CancellationToken cancellationToken)
        {
            Write = write;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) =>
                {
                    var pending = (PendingWrite)state!;
                    if (Interlocked.CompareExchange(ref pending._state, Cancelled, Queued) == Queued)
                    {
                        pending._completion.TrySetCanceled(token);
                    }
                }, this);
            }
        }

        public UsageWrite Write { get; }

        public Task<UsageWriteResult> Task => _completion.Task;

        /// <summary>Claims the write for a batch; false when its caller cancelled it first (then it is never sent).</summary>
        public bool TryTake()
        {
            if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
            {
                return false;
            }

            // Stryker disable once Statement : equivalent. A taken write's callback finds it taken and does nothing;
            // disposing frees the registration early.
            _registration.Dispose();
            return true;
        }

        public void Complete(UsageWriteResult result) => _completion.TrySetResult(result);

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
