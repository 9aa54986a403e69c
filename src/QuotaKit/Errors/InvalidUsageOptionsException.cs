namespace QuotaKit;

/// <summary>Thrown when <see cref="UsageOptions"/> are invalid: an idempotency key that is empty or too long, or metadata that is not JSON.</summary>
public sealed class InvalidUsageOptionsException : QuotaKitException
{
    /// <summary>Creates the exception with the reason.</summary>
    public InvalidUsageOptionsException(string reason)
        : base($"Invalid usage options: {reason}")
    {
    }
}
