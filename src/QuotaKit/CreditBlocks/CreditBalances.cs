namespace QuotaKit;

/// <summary>Sums of credit balances, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
internal static class CreditBalances
{
    public static long RemainingOf(IReadOnlyList<CreditBlock> blocks)
    {
        var sum = 0L;
        foreach (var block in blocks)
        {
            sum = Add(sum, block.Remaining);
        }

        return sum;
    }

    // Stryker disable once Equality : equivalent. At a == long.MaxValue - b both branches answer long.MaxValue.
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
