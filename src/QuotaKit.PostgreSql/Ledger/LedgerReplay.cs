namespace QuotaKit.PostgreSql;

/// <summary>Applies one ledger event to a counter's value exactly as <c>record_usage</c> step 6 does.</summary>
internal static class LedgerReplay
{
    /// <exception cref="InvalidOperationException">An operation record_usage does not know.</exception>
    public static long Apply(long used, string operation, long amount) => operation switch
    {
        "consume" or "increment" => used > long.MaxValue - amount ? long.MaxValue : used + amount,
        "refund" => Math.Max(used - amount, 0),
        "set" => amount,
        "raise" => Math.Max(used, amount),
        _ => throw new InvalidOperationException($"The ledger holds an unknown operation '{operation}'."),
    };
}
