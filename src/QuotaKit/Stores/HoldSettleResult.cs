using NodaTime;

namespace QuotaKit;

/// <summary>What a store answers to <see cref="UsageStore.SettleHoldAsync"/>.</summary>
/// <param name="Found">False when the subject has no such hold of the feature (every other field is then default).</param>
/// <param name="State">The hold's state after the call.</param>
/// <param name="Changed">True when this call settled it; false when it was settled already (the answer is that settlement).</param>
/// <param name="HeldAmount">The units the hold held.</param>
/// <param name="SettledAmount">The units committed (0 when released or expired).</param>
/// <param name="Used">The counter's units after the call.</param>
/// <param name="AlertLevelBefore">The counter's alert level before the call.</param>
/// <param name="AlertLevelAfter">The counter's alert level after the call.</param>
/// <param name="Period">The period of the counter the hold belongs to.</param>
/// <param name="ExpiresAt">When the hold expires or expired.</param>
public readonly record struct HoldSettleResult(
    bool Found, ReservationState State, bool Changed, long HeldAmount, long SettledAmount, long Used, int AlertLevelBefore,
    int AlertLevelAfter, UsagePeriod Period, Instant ExpiresAt)
{
    /// <summary>For a store that keeps credit blocks: how many of <see cref="Used"/> the hold's period has burned from
    /// credit blocks after the call. 0 otherwise.</summary>
    public long BlocksBurned { get; init; }

    /// <summary>No such hold.</summary>
    public static HoldSettleResult NotFound => default;
}
