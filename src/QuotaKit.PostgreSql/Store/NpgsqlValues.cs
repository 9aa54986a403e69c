using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>Typed parameters and readers for the values QuotaKit stores: text, <c>timestamptz</c> instants, arrays.</summary>
internal static class NpgsqlValues
{
    public static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>A text parameter that may be SQL NULL.</summary>
    public static NpgsqlParameter NullableText(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter<DateTime> Timestamp(Instant instant) =>
        new() { TypedValue = instant.ToDateTimeUtc(), NpgsqlDbType = NpgsqlDbType.TimestampTz };

    /// <summary>A <c>timestamptz</c> parameter that may be SQL NULL.</summary>
    public static NpgsqlParameter NullableTimestamp(Instant? instant) =>
        new() { Value = instant.HasValue ? instant.Value.ToDateTimeUtc() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    public static NpgsqlParameter<string[]> TextArray(string[] values) =>
        new() { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static Instant ReadInstant(NpgsqlDataReader reader, int ordinal) =>
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
