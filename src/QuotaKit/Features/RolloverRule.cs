namespace QuotaKit;

/// <summary>
/// A feature's rollover (docs/concepts.md, "Rollover"): at the first write of a period, the plan's allowance the previous
/// period left unused, at most <see cref="Cap"/>, becomes a credit block of the new period (<see cref="CreditBlockSource.Rollover"/>)
/// that can be burned for <see cref="Periods"/> periods. No job creates it.
/// </summary>
/// <param name="Cap">The most units one period carries over; <c>null</c> for all unused units. 0 carries nothing.</param>
/// <param name="Periods">How many periods the carried units stay usable, the new period included; at least 1.</param>
public sealed record RolloverRule(long? Cap, int Periods)
{
    /// <summary>The units a period that left <paramref name="unused"/> units of its allowance carries over.</summary>
    // Stryker disable once Equality : equivalent. At unused == 0 both branches carry 0.
    public long CarriedFrom(long unused) => unused <= 0 ? 0 : Cap is { } cap ? Math.Min(unused, cap) : unused;
}
