namespace QuotaKit;

/// <summary>Thrown when an amount is zero, negative, or so large that the counter would overflow.</summary>
public sealed class InvalidAmountException : QuotaKitException
{
    /// <summary>Creates the exception for <paramref name="amount"/> with the reason.</summary>
    public InvalidAmountException(long amount, string reason)
        : base($"Invalid amount {amount}: {reason}")
    {
        Amount = amount;
    }

    /// <summary>The amount that was refused.</summary>
    public long Amount { get; }
}
