namespace QuotaKit;

/// <summary>Why a usage call was allowed or denied.</summary>
public enum UsageOutcome
{
    /// <summary>Allowed and applied (or, for a check, would be allowed).</summary>
    Allowed = 0,

    /// <summary>Denied: the amount would take usage past the hard limit.</summary>
    LimitExceeded = 1,

    /// <summary>Denied: the feature is disabled for the subject's plan.</summary>
    FeatureDisabled = 2,
}
