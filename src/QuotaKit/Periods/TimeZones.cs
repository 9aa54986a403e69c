using NodaTime;

namespace QuotaKit;

/// <summary>Looks up time zones by IANA id (for example <c>Australia/Melbourne</c>) in NodaTime's tzdb.</summary>
public static class TimeZones
{
    /// <summary>Returns the tzdb zone with the IANA id <paramref name="ianaId"/> (ids are case-sensitive).</summary>
    /// <exception cref="UnknownTimeZoneException">The id is null, empty or not in the tzdb.</exception>
    public static DateTimeZone Get(string ianaId)
    {
        if (string.IsNullOrWhiteSpace(ianaId))
        {
            throw new UnknownTimeZoneException(ianaId ?? string.Empty);
        }

        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(ianaId) ?? throw new UnknownTimeZoneException(ianaId);
    }
}
