using NodaTime;

namespace QuotaKit;

/// <summary>The answer to a usage call: allowed or denied, and the state of the counter right after it.</summary>
public sealed class UsageDecision
{
    /// <summary>Creates a decision.</summary>
    public UsageDecision(
        string subjectId, string featureKey, UsageOutcome outcome, long used, FeatureLimit limit, UsagePeriod period, bool isReplay)
    {
        SubjectId = subjectId;
        FeatureKey = featureKey;
        Outcome = outcome;
        Used = used;
        Limit = limit;
        Period = period;
        IsReplay = isReplay;
    }

    /// <summary>The subject.</summary>
    public string SubjectId { get; }

    /// <summary>The feature.</summary>
    public string FeatureKey { get; }

    /// <summary>Allowed, or why not.</summary>
    public UsageOutcome Outcome { get; }

    /// <summary>Whether the call was allowed (and, unless it was a check, applied).</summary>
    public bool Allowed => Outcome == UsageOutcome.Allowed;

    /// <summary>Usage in the period after the call.</summary>
    public long Used { get; }

    /// <summary>The limit in force (plan, override and grants).</summary>
    public FeatureLimit Limit { get; }

    /// <summary>
    /// Units left: what the plan's allowance leaves (the limit minus the plan's part of <see cref="Used"/>) plus
    /// <see cref="BlocksRemaining"/>. <c>null</c> when unlimited; never negative.
    /// </summary>
    public long? Remaining => Limit.RemainingAfter(Used, BlocksBurned, BlocksRemaining ?? 0);

    /// <summary>How many of <see cref="Used"/> the period drew from credit blocks (docs/concepts.md, "Credit blocks"); the
    /// plan's allowance covered the rest. 0 without blocks, and for a replay.</summary>
    public long BlocksBurned { get; init; }

    /// <summary>The units left in the subject's credit blocks of the feature usable at the call's instant, after the call;
    /// <c>null</c> when the store keeps no blocks, and for a replay.</summary>
    public long? BlocksRemaining { get; init; }

    /// <summary>Whether the plan's part of usage is over a soft limit (alerts only).</summary>
    public bool SoftLimitExceeded => Limit is { Kind: LimitKind.Limited, IsSoft: true } && Used - BlocksBurned > Limit.Value;

    /// <summary>Whether the plan's part of usage is over a hard limit (possible through
    /// <see cref="IUsageTracker.IncrementAsync"/>, when credit blocks cannot cover the excess).</summary>
    public bool HardLimitExceeded => Limit is { Kind: LimitKind.Limited, IsSoft: false } && Used - BlocksBurned > Limit.Value;

    /// <summary>The period <c>[start, end)</c> the usage counted in.</summary>
    public UsagePeriod Period { get; }

    /// <summary>When the counter starts again from zero (the period's end).</summary>
    public Instant ResetsAt => Period.End;

    /// <summary>
    /// True when this is the stored answer of an earlier call of the caller's with the same idempotency key. False for
    /// the caller's first call, also when QuotaKit's own retry found that call's first attempt committed (its reply was
    /// lost with the connection): skipping work on replays never skips a real first request.
    /// </summary>
    public bool IsReplay { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{SubjectId}/{FeatureKey}: {Outcome}, used {Used} of {Limit} in {Period}{(IsReplay ? " (replay)" : "")}";
}
