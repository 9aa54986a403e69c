namespace QuotaKit;

/// <summary>
/// Thrown when a period is asked for an instant that no period of the policy covers, for example an instant before
/// a billing cycle's anchor or before a lifetime allowance starts.
/// </summary>
public sealed class PeriodOutOfRangeException : QuotaKitException
{
    /// <summary>Creates the exception with a message that names the instant and the first valid instant.</summary>
    public PeriodOutOfRangeException(string message)
        : base(message)
    {
    }
}
