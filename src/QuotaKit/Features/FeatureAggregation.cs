namespace QuotaKit;

/// <summary>How a feature's usage in a period is aggregated.</summary>
public enum FeatureAggregation
{
    /// <summary>A counter: the sum of increments (images generated, API calls, voice seconds).</summary>
    Sum = 0,

    /// <summary>A gauge holding the last value set in the period (seats in use now).</summary>
    Last = 1,

    /// <summary>A gauge holding the highest value seen in the period (peak storage).</summary>
    Max = 2,
}
