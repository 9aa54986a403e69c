using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>A counter whose stored value differs from the ledger.</summary>
/// <param name="SubjectId">The subject.</param>
/// <param name="FeatureKey">The feature.</param>
/// <param name="PeriodStart">The counter's period start (its key).</param>
/// <param name="PeriodEnd">The counter's period end.</param>
/// <param name="Stored">The stored <c>used</c> when checked; <c>null</c> when the ledger has applied events for a counter
/// that does not exist (never created again by a repair: its period's bounds are not known for certain).</param>
/// <param name="Expected">The ledger's value: its applied events replayed from zero.</param>
/// <param name="RepairedTo">The value written by the repair (recomputed under the lock); <c>null</c> when not repaired.</param>
public sealed record CounterDiscrepancy(
    string SubjectId, string FeatureKey, Instant PeriodStart, Instant PeriodEnd, long? Stored, long Expected, long? RepairedTo)
{
    /// <summary>Expected minus stored (the stored value counts as 0 when the counter is missing).</summary>
    public long Difference => Expected - (Stored ?? 0);
}

/// <summary>What a recount found.</summary>
/// <param name="Scope">The counters it covered.</param>
/// <param name="CountersChecked">Counters compared with the ledger.</param>
/// <param name="CountersWithoutEvents">Counters with no event at all in the ledger: written while events were not
/// recorded (see <see cref="QuotaKitPostgreSqlOptions.RecordAllEvents"/>); not compared and never repaired.</param>
/// <param name="Discrepancies">Each counter that differs, expected against stored.</param>
public sealed record RecountReport(
    RecountScope Scope, long CountersChecked, long CountersWithoutEvents, IReadOnlyList<CounterDiscrepancy> Discrepancies)
{
    /// <summary>How many counters the repair changed.</summary>
    public int Repaired => Discrepancies.Count(d => d.RepairedTo is not null);
}
