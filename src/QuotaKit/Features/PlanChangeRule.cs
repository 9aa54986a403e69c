namespace QuotaKit;

/// <summary>
/// What a plan change does to a feature's current period (<see cref="FeatureDefinition.OnUpgrade"/>,
/// <see cref="FeatureDefinition.OnDowngrade"/>). A change is an upgrade of a feature when the new plan's limit is
/// higher (disabled &lt; any number &lt; unlimited), a downgrade when it is lower; a change that leaves the feature's limit
/// as it was, or a feature whose limit an override sets, is neither. See docs/concepts.md, "Plan changes".
/// </summary>
public enum PlanChangeRule
{
    /// <summary>Usage stays and the new limit applies at once (QuotaKit 0.1.0's behaviour, the default).</summary>
    Keep = 0,

    /// <summary>Usage restarts from zero at the change, and history keeps what came before
    /// (as <see cref="IQuotaAdministration.ResetAsync"/>).</summary>
    Reset = 1,

    /// <summary>Usage stays, and the higher of the old and the new limit applies until the current period ends: on a
    /// downgrade the old limit carries over to the period's end (a grant of the difference, valid until then); on an
    /// upgrade the new limit applies at once. Between a number and "unlimited" or "disabled", it behaves as
    /// <see cref="Keep"/>.</summary>
    CarryOverUntilPeriodEnd = 2,
}
