namespace QuotaKit;

/// <summary>Which alert thresholds (percent of a limit) a usage value has reached.</summary>
internal static class AlertThresholds
{
    /// <summary>The highest threshold of <paramref name="thresholds"/> that <paramref name="used"/> reaches; 0 when none
    /// or when the limit is not a positive number.</summary>
    public static int HighestReached(IList<int> thresholds, long used, FeatureLimit limit)
    {
        if (limit.Kind != LimitKind.Limited || limit.Value <= 0)
        {
            return 0;
        }

        var highest = 0;
        foreach (var threshold in thresholds)
        {
            // used / limit >= threshold / 100, in decimal to avoid overflow near long.MaxValue.
            if (threshold > highest && (decimal)used * 100 >= (decimal)threshold * limit.Value)
            {
                highest = threshold;
            }
        }

        return highest;
    }

    /// <summary>Thresholds above <paramref name="previous"/> and at most <paramref name="current"/>, ascending.</summary>
    public static IEnumerable<int> NewlyCrossed(IList<int> thresholds, int previous, int current) =>
        current <= previous ? [] : thresholds.Where(t => t > previous && t <= current).Order();
}
