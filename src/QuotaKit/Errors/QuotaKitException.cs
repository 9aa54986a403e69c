namespace QuotaKit;

/// <summary>Base type of every exception QuotaKit throws on purpose, so callers can catch them in one place.</summary>
public abstract class QuotaKitException : Exception
{
    /// <summary>Creates the exception with a message that names the problem.</summary>
    protected QuotaKitException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
