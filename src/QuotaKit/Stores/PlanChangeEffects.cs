namespace QuotaKit;

/// <summary>
/// What a plan change does besides setting the plan (<see cref="SubjectStore.ChangePlanAsync"/>), worked out by QuotaKit
/// from the subject's context as stored at the change and the features' <see cref="PlanChangeRule"/>s.
/// </summary>
public sealed class PlanChangeEffects
{
    internal PlanChangeEffects(IReadOnlyList<string> resetFeatureKeys, IReadOnlyList<UsageGrant> grants)
    {
        ResetFeatureKeys = resetFeatureKeys;
        Grants = grants;
    }

    /// <summary>No effects: only the plan changes.</summary>
    public static PlanChangeEffects None { get; } = new([], []);

    /// <summary>Features whose counter holding the change's instant is reset, keeping history
    /// (as <see cref="UsageStore.ResetCounterAsync"/> does).</summary>
    public IReadOnlyList<string> ResetFeatureKeys { get; }

    /// <summary>Grants to add (the old, higher limit carried over to the end of the period).</summary>
    public IReadOnlyList<UsageGrant> Grants { get; }

    /// <summary>Whether there is nothing besides the plan to change.</summary>
    public bool IsEmpty => ResetFeatureKeys.Count == 0 && Grants.Count == 0;
}
