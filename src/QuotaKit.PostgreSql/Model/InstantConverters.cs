using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Maps NodaTime <see cref="Instant"/> to a UTC <see cref="DateTime"/>, which Npgsql writes as <c>timestamptz</c>
/// (the Npgsql NodaTime plugin is not required). PostgreSQL keeps microseconds; finer digits are dropped.
/// </summary>
internal static class InstantConverters
{
    public static readonly ValueConverter<Instant, DateTime> Required = new(
        instant => instant.ToDateTimeUtc(),
        dateTime => Instant.FromDateTimeUtc(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)));

    public static readonly ValueConverter<Instant?, DateTime?> Optional = new(
        instant => instant.HasValue ? instant.Value.ToDateTimeUtc() : null,
        dateTime => dateTime.HasValue ? Instant.FromDateTimeUtc(DateTime.SpecifyKind(dateTime.Value, DateTimeKind.Utc)) : null);
}
