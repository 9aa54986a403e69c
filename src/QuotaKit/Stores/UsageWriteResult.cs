namespace QuotaKit;

/// <summary>
/// What a store answers for a <see cref="UsageWrite"/>: a fresh decision, the stored first call for a replay, or, for one
/// write of a batch (<see cref="UsageStore.WriteBatchAsync"/>), the error that failed that write alone.
/// </summary>
public readonly record struct UsageWriteResult
{
    private UsageWriteResult(
        UsageOutcome outcome, long used, UsagePeriod period, int alertLevelBefore, int alertLevelAfter, StoredUsageCall? replay,
        QuotaKitException? error = null)
    {
        Error = error;
        Outcome = outcome;
        Used = used;
        Period = period;
        AlertLevelBefore = alertLevelBefore;
        AlertLevelAfter = alertLevelAfter;
        Replay = replay;
    }

    /// <summary>The outcome.</summary>
    public UsageOutcome Outcome { get; }

    /// <summary>The counter's value after the write.</summary>
    public long Used { get; }

    /// <summary>The period of the counter the write went to (see <see cref="UsageStore.WriteAsync"/>).</summary>
    public UsagePeriod Period { get; }

    /// <summary>The counter's alert level (highest threshold reached in the period) before the write.</summary>
    public int AlertLevelBefore { get; }

    /// <summary>The counter's alert level after the write; thresholds above <see cref="AlertLevelBefore"/> and up to this
    /// one fire once.</summary>
    public int AlertLevelAfter { get; }

    /// <summary>
    /// For a store that keeps credit blocks: how many of <see cref="Used"/> the counter's period has burned from credit
    /// blocks after the write (the plan's allowance used is <see cref="Used"/> minus this). 0 otherwise, and for replays.
    /// </summary>
    public long BlocksBurned { get; init; }

    /// <summary>
    /// For a store that keeps credit blocks: the units left after the write in the subject's blocks of the feature usable
    /// at the write's instant. <c>null</c> when the store does not keep blocks, and for replays.
    /// </summary>
    public long? BlocksRemaining { get; init; }

    /// <summary>The first call with the same idempotency key, when this write was a replay; <c>null</c> otherwise.</summary>
    public StoredUsageCall? Replay { get; }

    /// <summary>
    /// True when nothing was written because the subject's stored version differs from
    /// <see cref="UsageWrite.SubjectVersion"/> (its plan, zone, anchor, overrides or grants changed, or the tracker's
    /// guess was wrong): the tracker works the limit and period out again from <see cref="Subject"/> and writes again.
    /// The other values are then meaningless.
    /// </summary>
    public bool IsSubjectChanged { get; private init; }

    /// <summary>The subject's current context when <see cref="IsSubjectChanged"/>, read in the same round trip where the
    /// store can; <c>null</c> otherwise (the tracker then reads it).</summary>
    public SubjectContext? Subject { get; private init; }

    /// <summary>
    /// The error that failed this write of a batch alone (for example <see cref="InvalidAmountException"/> when its counter
    /// would exceed <see cref="long.MaxValue"/>): nothing of it was written. <c>null</c> for a decided or replayed write.
    /// </summary>
    public QuotaKitException? Error { get; }

    /// <summary>A write the store decided now, on the counter of <paramref name="period"/>.</summary>
    public static UsageWriteResult Decided(UsageWriteDecision decision, UsagePeriod period, int alertLevelBefore, int alertLevelAfter) =>
        new(decision.Outcome, decision.UsedAfter, period, alertLevelBefore, alertLevelAfter, replay: null);

    /// <summary>A write that was not applied because the subject changed (see <see cref="IsSubjectChanged"/>).</summary>
    /// <param name="current">The subject's current context with its version, when the store read it along; else <c>null</c>.</param>
    public static UsageWriteResult SubjectChanged(SubjectContext? current) =>
        new(UsageOutcome.Allowed, 0, default, 0, 0, replay: null) { IsSubjectChanged = true, Subject = current };

    /// <summary>A write whose idempotency key was already stored: nothing was applied, the first call answers.</summary>
    public static UsageWriteResult Replayed(StoredUsageCall first)
    {
        ArgumentNullException.ThrowIfNull(first);
        return new(first.Outcome, first.UsedAfter, first.Period, 0, 0, first);
    }

    /// <summary>A write of a batch that failed alone and wrote nothing; the batch's other writes stand.</summary>
    public static UsageWriteResult Failed(QuotaKitException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(default, 0, default, 0, 0, replay: null, error);
    }
}
