namespace QuotaKit.PostgreSql;

/// <summary>Settings of QuotaKit's PostgreSQL store.</summary>
public sealed class QuotaKitPostgreSqlOptions
{
    /// <summary>
    /// Apply QuotaKit's migrations when the host starts (an <c>IHostedService</c>). Off by default: many teams apply
    /// migrations in a deployment step instead. Safe with many instances starting at once (an advisory lock serialises them).
    /// </summary>
    public bool ApplyMigrationsAtStartup { get; set; }

    /// <summary>
    /// Check when the host starts that the database has the schema version this QuotaKit needs, and fail the start with
    /// <see cref="QuotaKitSchemaVersionException"/> if not (after applying migrations, when that is on). On by default;
    /// turn it off only when the database cannot be reached at start-up by design.
    /// </summary>
    public bool VerifySchemaAtStartup { get; set; } = true;

    /// <summary>
    /// Write every usage call to the <c>usage_events</c> ledger (audit, recount). Off by default; calls with an
    /// idempotency key or metadata are always recorded.
    /// </summary>
    public bool RecordAllEvents { get; set; }

    /// <summary>
    /// Listen for subject changes (<c>LISTEN quotakit_subject_changed</c>, on one dedicated connection) while the host
    /// runs, so that a plan, zone, anchor, override or grant changed by any instance or by hand in SQL evicts this
    /// instance's cached copy within milliseconds, and subjects can be cached for
    /// <see cref="QuotaKitOptions.PushedSubjectCacheDuration"/>. On by default. The listener reconnects after a failure;
    /// while it is down, subjects are cached for <see cref="QuotaKitOptions.SubjectCacheDuration"/> only. Runs as an
    /// <c>IHostedService</c>: without a generic host nothing listens (see docs/concepts.md, "The subject cache").
    /// </summary>
    public bool ListenForSubjectChanges { get; set; } = true;

    /// <summary>
    /// How long the subject-change listener's session may stay silent before it is probed with a round trip, so that a
    /// silently dead connection (a dropped network path, no reset) is noticed. Not public: 15 s suits every server; the
    /// tests shorten it to watch the probe work.
    /// </summary>
    internal TimeSpan SubjectListenerProbeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gather the writes this process makes at the same time (<c>TryConsumeAsync</c>, <c>IncrementAsync</c>, ...) into one
    /// round trip and one transaction (<c>quotakit.record_usage_batch</c>): on a hot counter or under many concurrent
    /// callers, many writes then share one commit. Off by default. Each write is decided exactly as alone (in arrival
    /// order per counter, under its row lock: no overshoot; idempotency keys, alerts and outcomes as for a single call),
    /// and a caller's task completes only after the commit. There is no timer: a write made while a connection is free is
    /// sent at once; writes made while the batches in flight are busy go together in the next one. A failure fails the
    /// writes of its batch alike (<see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> as for a single call), and
    /// one caller's bad input never fails another's. docs/benchmarks.md measures it. Writes that share a batch are not
    /// checked against the subject's version (<c>record_usage_batch</c> predates that check), so with this option on
    /// QuotaKit reads an uncached subject before writing instead of guessing it, and a context cached here may decide a
    /// batched write until the change is pushed (tens of milliseconds).
    /// </summary>
    public bool CoalesceWrites { get; set; }

    /// <summary>
    /// A connection string to a streaming replica (a hot standby) of the database. When set, <c>GetUsageAsync</c> and
    /// <c>GetHistoryAsync</c> read from it, and <c>CheckAsync</c> too when <see cref="ChecksFromReadReplica"/> is on.
    /// Writes (consume, increment, refund, gauges, reservations), the subject reads they depend on, administration and
    /// migrations always use the primary, so a lagging replica never lets a write pass a limit. A replica shows the
    /// database as of its replay position: usually milliseconds behind, unbounded while it is disconnected or a long
    /// query on it delays replay. When the replica cannot be reached, a read falls back to the primary and logs a
    /// warning. Null (default): every read uses the primary. docs/scaling.md, "Reads off the primary".
    /// </summary>
    public string? ReadConnectionString { get; set; }

    /// <summary>
    /// Send <c>CheckAsync</c> to the <see cref="ReadConnectionString"/> replica too. Off by default: a check on a lagging
    /// replica can answer "allowed" for a call the primary would refuse (the call itself is still decided on the primary).
    /// </summary>
    public bool ChecksFromReadReplica { get; set; }

    /// <summary>
    /// How many coalesced batches may be in flight at once (each on its own connection). Two: fewer batches in flight
    /// make each one larger, so more writes share a commit (on 2 cores at 64 callers, 1 or 2 senders gave 2.6x the raw
    /// per-call throughput on 10,000 subjects, 4 gave 2.2x, 8 gave 1.8x: docs/benchmarks.md); two rather than one, so that
    /// one batch waiting on a row lock held elsewhere does not stall every write of the process.
    /// </summary>
    internal int CoalescingSenders { get; set; } = 2;

    /// <summary>For tests: send a lone write as a batch of one too, so every write goes through record_usage_batch.</summary>
    internal bool CoalesceLoneWritesAsBatches { get; set; }
}
