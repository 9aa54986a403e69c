using NodaTime;

namespace QuotaKit;

/// <summary>
/// One commit or release of a hold for a store to apply atomically (<see cref="UsageStore.SettleHoldAsync"/>). The rule,
/// under the counter's lock: a hold past its expiry at <see cref="RecordedAt"/> is given back and becomes expired
/// (a commit records nothing); a release gives the hold back; a commit replaces the held units with
/// <see cref="ActualAmount"/> (never below zero, even past a hard limit) and raises the alert level as a write does.
/// A hold settled already changes nothing and answers its settlement.
/// </summary>
public sealed class HoldSettleRequest
{
    private readonly int[] _alertThresholds;

    internal HoldSettleRequest(Reservation reservation, bool commit, long actualAmount, FeatureLimit limit, int[] alertThresholds, Instant recordedAt)
    {
        SubjectId = reservation.SubjectId;
        FeatureKey = reservation.FeatureKey;
        HoldId = reservation.Id;
        Commit = commit;
        ActualAmount = actualAmount;
        Limit = limit;
        _alertThresholds = limit.Kind == LimitKind.Limited ? alertThresholds : [];
        RecordedAt = recordedAt;
    }

    /// <summary>The subject.</summary>
    public string SubjectId { get; }

    /// <summary>The feature.</summary>
    public string FeatureKey { get; }

    /// <summary>The hold's id (the reservation's id).</summary>
    public Guid HoldId { get; }

    /// <summary>True to commit <see cref="ActualAmount"/>; false to release.</summary>
    public bool Commit { get; }

    /// <summary>The units the work used (0 for a release).</summary>
    public long ActualAmount { get; }

    /// <summary>The limit in force now, for the alert level.</summary>
    public FeatureLimit Limit { get; }

    /// <summary>The feature's alert thresholds in percent (empty unless the limit is a number).</summary>
    public IReadOnlyList<int> AlertThresholds => _alertThresholds;

    /// <summary>Now, by the tracker's clock: the instant expiry is judged at.</summary>
    public Instant RecordedAt { get; }

    internal int[] AlertThresholdArray => _alertThresholds;

    /// <summary>The highest alert threshold <paramref name="used"/> reaches under <see cref="Limit"/> (0 if none).</summary>
    public int AlertLevelAt(long used) => QuotaKit.AlertThresholds.HighestReached(_alertThresholds, used, Limit);

    /// <summary>
    /// For a store that keeps credit blocks (<see cref="UsageStore.SupportsCreditBlocks"/>): the units a commit of
    /// <see cref="ActualAmount"/> burns from the usable blocks (in <see cref="CreditBlock.BurnOrder"/>) when more was used
    /// than held: the excess the plan's allowance (<see cref="Limit"/>) cannot cover, as far as the blocks reach; the rest
    /// goes over the limit (the work is done). 0 for a commit of no more than held, and under a limit that is not a number.
    /// Units given back (a release, an expiry, a commit of fewer units than held) go to the blocks the period burned
    /// first, up to <paramref name="blocksBurned"/>, the last burned first.
    /// </summary>
    /// <param name="used">The counter's usage, the hold's units included.</param>
    /// <param name="heldAmount">The hold's units.</param>
    /// <param name="blocksBurned">What the hold's period has burned from blocks.</param>
    /// <param name="blocksAvailable">The units left in the subject's blocks of the feature usable at <see cref="RecordedAt"/>.</param>
    public long BlocksToBurnOnCommit(long used, long heldAmount, long blocksBurned, long blocksAvailable) =>
        !Commit || ActualAmount <= heldAmount || Limit.Kind != LimitKind.Limited
            ? 0
            : Math.Min(UsageRules.BeyondPlan(Math.Max(used - blocksBurned, 0), ActualAmount - heldAmount, Limit.Value), blocksAvailable);

    /// <inheritdoc />
    public override string ToString() => $"{(Commit ? "commit" : "release")} of hold {HoldId} of '{FeatureKey}' for subject '{SubjectId}'";
}
