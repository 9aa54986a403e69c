namespace QuotaKit;

/// <summary>What kind of limit a plan sets on a feature.</summary>
public enum LimitKind
{
    /// <summary>A number of units per period.</summary>
    Limited = 0,

    /// <summary>No limit: everything is allowed (and still counted).</summary>
    Unlimited = 1,

    /// <summary>The feature is not available: every consume is denied.</summary>
    Disabled = 2,
}
