namespace QuotaKit;

/// <summary>Thrown when a time zone id is not in the IANA time zone database (NodaTime's tzdb).</summary>
public sealed class UnknownTimeZoneException : QuotaKitException
{
    /// <summary>Creates the exception for <paramref name="timeZoneId"/>.</summary>
    public UnknownTimeZoneException(string timeZoneId)
        : base($"Unknown time zone '{timeZoneId}'. Use an IANA time zone id such as 'Europe/Paris' or 'Australia/Melbourne'.")
    {
        TimeZoneId = timeZoneId;
    }

    /// <summary>The id that was not found.</summary>
    public string TimeZoneId { get; }
}
