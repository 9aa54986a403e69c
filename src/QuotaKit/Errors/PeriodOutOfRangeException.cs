namespace QuotaKit;

/// <summary>
/// Thrown when a period is asked for an instant that no period of the policy covers, for example an instant before
/// a billing cycle's anchor or before a lifetime allowance starts, or outside the range of instants QuotaKit stores
/// (periods between 0001-01-01 and 9999-12-31 UTC).
/// </summary>
public sealed class PeriodOutOfRangeException : QuotaKitException
{
    /// <summary>Creates the exception with a message that names the instant and the first valid instant.</summary>
    public PeriodOutOfRangeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that revealed the problem.</summary>
    public PeriodOutOfRangeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
