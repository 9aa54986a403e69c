using NodaTime;

namespace QuotaKit;

/// <summary>
/// One validated write for a store to apply atomically (<see cref="UsageStore.WriteAsync"/>): what to do to which
/// counter, the limit in force and the rule that judges it, and what to record. Built by <see cref="UsageTracker"/>.
/// </summary>
public sealed class UsageWrite
{
    private readonly int[] _alertThresholds;

    internal UsageWrite(
        string subjectId, FeatureDefinition feature, UsageOperation operation, long amount, UsagePeriod period, FeatureLimit limit,
        int[] alertThresholds, Instant recordedAt, Instant occurredAt, UsageOptions? options, SubjectContext subject,
        Instant? holdExpiresAt = null, Instant? rolloverValidUntil = null)
    {
        SubjectId = subjectId;
        FeatureKey = feature.Key;
        Operation = operation;
        Amount = amount;
        Period = period;
        Limit = limit;
        _alertThresholds = limit.Kind == LimitKind.Limited ? alertThresholds : [];
        RecordedAt = recordedAt;
        OccurredAt = occurredAt;
        IdempotencyKey = options?.IdempotencyKey;
        MetadataJson = options?.MetadataJson;
        RecordEvent = options?.MetadataJson is not null;
        (Enforce, DeniedOutcome) = UsageRules.WriteRule(operation, limit);
        CallId = Guid.NewGuid();
        SubjectVersion = subject.Version;
        HoldExpiresAt = holdExpiresAt;
        Rollover = rolloverValidUntil is null ? null : feature.Rollover;
        RolloverValidUntil = rolloverValidUntil;
    }

    /// <summary>
    /// The feature's rollover rule, for a store that keeps credit blocks; <c>null</c> when the feature does not roll over.
    /// When the write creates its counter (the first write of a period), the stored period that ends exactly where the new
    /// counter starts carries <see cref="CarriedFrom"/> units into a credit block of <see cref="CreditBlockSource.Rollover"/>,
    /// valid from the new counter's start until <see cref="RolloverValidUntil"/>, before the write is decided. A write of
    /// such a feature refused on an empty counter still creates the counter, so that the rollover is there to decide it.
    /// </summary>
    public RolloverRule? Rollover { get; }

    /// <summary>When a block carried over into this write's period stops being usable: the end of the period
    /// <see cref="RolloverRule.Periods"/> − 1 after <see cref="Period"/>. <c>null</c> when the feature does not roll over.</summary>
    public Instant? RolloverValidUntil { get; }

    /// <summary>
    /// The units <paramref name="previous"/>, the stored period just before the write's new counter, carries over: the
    /// plan's allowance it left unused (its stored limit minus the plan's part of its usage), at most the rule's cap; 0
    /// when the feature does not roll over or the previous period was unlimited.
    /// </summary>
    public long CarriedFrom(StoredPeriod previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return Rollover is { } rule && previous.LimitValue is { } limit
            ? rule.CarriedFrom(limit - Math.Max(previous.Used - previous.BlocksBurned, 0))
            : 0;
    }

    /// <summary>
    /// Set for a reservation (<see cref="IUsageReservations.ReserveAsync"/>): the write is a consume that, when granted,
    /// also stores a hold of <see cref="Amount"/> units with the id <see cref="CallId"/> until this instant. Only stores
    /// whose <see cref="UsageStore.SupportsReservations"/> is true receive such writes.
    /// </summary>
    public Instant? HoldExpiresAt { get; }

    /// <summary>
    /// Identifies this call. The tracker's own retry of the call sends the same id, so a store that finds the idempotency
    /// key already claimed by this id answers the caller's first call, not a replay of an earlier one: keep it with the
    /// key and return it in <see cref="StoredUsageCall.CallId"/>.
    /// </summary>
    public Guid CallId { get; }

    /// <summary>The subject.</summary>
    public string SubjectId { get; }

    /// <summary>The feature.</summary>
    public string FeatureKey { get; }

    /// <summary>What the write does to the counter.</summary>
    public UsageOperation Operation { get; }

    /// <summary>The operation's stored name (<c>consume</c>, <c>increment</c>, <c>refund</c>, <c>set</c>, <c>raise</c>),
    /// kept with usage events and compared on idempotent replays.</summary>
    public string OperationName => Operation.Name();

    /// <summary>The amount (a gauge's value for gauge operations); validated positive, or non-negative for gauges.</summary>
    public long Amount { get; }

    /// <summary>
    /// The period that holds <see cref="OccurredAt"/> under the subject's current schedule (zone, anchor, policy). The
    /// counter the write goes to is the stored period holding <see cref="OccurredAt"/>; it differs from this one only
    /// after the schedule changed (see <see cref="UsageStore.WriteAsync"/>).
    /// </summary>
    public UsagePeriod Period { get; }

    /// <summary>The limit in force (plan, override and grants).</summary>
    public FeatureLimit Limit { get; }

    /// <summary>Whether the limit can refuse this write (a hard limit for consume; a disabled feature for consume and increment).</summary>
    public bool Enforce { get; }

    /// <summary>The outcome of a refused write: <see cref="UsageOutcome.LimitExceeded"/> or <see cref="UsageOutcome.FeatureDisabled"/>.</summary>
    public UsageOutcome DeniedOutcome { get; }

    /// <summary>The feature's alert thresholds (percent of the limit), ascending; empty unless the limit is a number.</summary>
    public IReadOnlyList<int> AlertThresholds => _alertThresholds;

    /// <summary>When QuotaKit handled the call (the clock's instant): the event's and the counter's write time.</summary>
    public Instant RecordedAt { get; }

    /// <summary>When the usage happened (<see cref="UsageOptions.At"/>, else <see cref="RecordedAt"/>); inside <see cref="Period"/>.</summary>
    public Instant OccurredAt { get; }

    /// <summary>The caller's idempotency key; <c>null</c> when none.</summary>
    public string? IdempotencyKey { get; }

    /// <summary>The caller's metadata, a JSON object; <c>null</c> when none.</summary>
    public string? MetadataJson { get; }

    /// <summary>
    /// Whether the caller asked for this write to be kept in the usage-event ledger (it carries metadata). A store with
    /// a ledger also records every write with an idempotency key, and may record all writes when configured to.
    /// </summary>
    public bool RecordEvent { get; }

    /// <summary>
    /// The version of the subject context the limit and period were worked out from (<see cref="SubjectContext.Version"/>);
    /// <c>null</c> when unknown. A store whose <see cref="UsageStore.VerifiesSubjectVersions"/> is true compares it with
    /// the subject's stored version before it claims a key or writes anything, and answers
    /// <see cref="UsageWriteResult.SubjectChanged"/> with the current context when they differ. Version 0 is what the
    /// tracker sends for a subject it has not cached (a guess that nothing is stored): a right guess costs no extra
    /// round trip, a wrong one costs one.
    /// </summary>
    public long? SubjectVersion { get; }

    /// <summary>The thresholds as an array, for stores that send them as a parameter; never modify it.</summary>
    internal int[] AlertThresholdArray => _alertThresholds;

    /// <summary>
    /// Decides the write against a counter holding <paramref name="used"/>: the outcome, and the counter's value after it
    /// (<paramref name="used"/> itself when refused). A store calls this while it holds the counter's lock.
    /// </summary>
    /// <exception cref="InvalidAmountException">The counter would exceed <see cref="long.MaxValue"/>.</exception>
    public UsageWriteDecision Apply(long used)
    {
        var (outcome, usedAfter) = UsageRules.Decide(Operation, used, Amount, Limit);
        return new UsageWriteDecision(outcome, usedAfter);
    }

    /// <summary>
    /// Decides the write, as <see cref="Apply(long)"/>, for a store that keeps credit blocks
    /// (<see cref="UsageStore.SupportsCreditBlocks"/>): against a counter holding <paramref name="used"/> units, of which
    /// its period burned <paramref name="blocksBurned"/> from blocks, with <paramref name="blocksAvailable"/> units left in
    /// the subject's blocks of the feature usable at <see cref="OccurredAt"/>. The decision says how many units to burn
    /// (<see cref="UsageWriteDecision.BurnFromBlocks"/>, in <see cref="CreditBlock.BurnOrder"/>) or to give back
    /// (<see cref="UsageWriteDecision.ReturnToBlocks"/>, in the reverse order, to the blocks this period burned). A store
    /// calls this while it holds the counter's lock and the blocks' locks.
    /// </summary>
    /// <exception cref="InvalidAmountException">The counter would exceed <see cref="long.MaxValue"/>.</exception>
    public UsageWriteDecision Apply(long used, long blocksBurned, long blocksAvailable) =>
        UsageRules.DecideWithBlocks(Operation, used, Amount, Limit, blocksBurned, blocksAvailable);

    /// <summary>The highest alert threshold a counter at <paramref name="used"/> has reached; 0 when none. A store keeps
    /// the highest level reached in the period and never lowers it.</summary>
    public int AlertLevelAt(long used) => QuotaKit.AlertThresholds.HighestReached(_alertThresholds, used, Limit);

    /// <summary>
    /// Whether the stored period that holds <see cref="OccurredAt"/> is of another schedule and none of its usage falls in
    /// <see cref="Period"/> (its last write came before <see cref="Period"/> started): then it ends where
    /// <see cref="Period"/> starts, and a new counter starts from zero (<see cref="UsageStore.WriteAsync"/>). Otherwise the
    /// stored period joins <see cref="Period"/>.
    /// </summary>
    /// <param name="storedPeriod">The stored period that holds <see cref="OccurredAt"/>.</param>
    /// <param name="lastWriteAt">When its usage was last changed (<see cref="StoredPeriod.LastWriteAt"/>).</param>
    public bool StartsAfresh(UsagePeriod storedPeriod, Instant lastWriteAt) => ScheduleChange.StartsAfresh(storedPeriod, lastWriteAt, Period);

    /// <summary>Describes the write for messages, e.g. <c>consume 1 of 'images' for subject 'u1'</c>.</summary>
    public override string ToString() => $"{OperationName} {Amount} of '{FeatureKey}' for subject '{SubjectId}'";
}
