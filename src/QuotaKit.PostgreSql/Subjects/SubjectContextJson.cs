using System.Text.Json;
using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads the JSON of <c>quotakit.subject_context(subject)</c> (schema version 3): the subject's plan, zone, anchor,
/// version, overrides and grants, read by the database in one statement. It comes back from a subject read and, in the
/// same round trip as a refused write, from <c>record_usage_v8</c> when the subject changed.
/// </summary>
internal static class SubjectContextJson
{
    /// <summary>The statement a subject read sends.</summary>
    public const string ReadSql = "SELECT quotakit.subject_context($1)";

    public static SubjectContext Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var context = SubjectContext.Default with
        {
            Version = root.GetProperty("version").GetInt64(),
            PlanKey = StringOrNull(root.GetProperty("plan")),
            TimeZone = StringOrNull(root.GetProperty("zone")) is { } zone ? TimeZones.Get(zone) : null,
            BillingAnchor = InstantOrNull(root.GetProperty("anchor")),
        };

        var overrides = new Dictionary<string, FeatureLimit>(StringComparer.Ordinal);
        foreach (var row in root.GetProperty("overrides").EnumerateArray())
        {
            var value = row[1].ValueKind == JsonValueKind.Null ? (long?)null : row[1].GetInt64();
            overrides[row[0].GetString()!] = StoredOverride(value, row[2].GetBoolean(), row[3].GetBoolean());
        }

        var grants = new List<UsageGrant>();
        foreach (var row in root.GetProperty("grants").EnumerateArray())
        {
            grants.Add(new UsageGrant(row[0].GetString()!, row[1].GetInt64(), FromMicroseconds(row[2].GetInt64()), FromMicroseconds(row[3].GetInt64()), StringOrNull(row[4])));
        }

        return overrides.Count == 0 && grants.Count == 0 ? context : context with { Overrides = overrides, Grants = grants };
    }

    // An override row stores no kind: disabled wins, then a missing number means unlimited.
    private static FeatureLimit StoredOverride(long? value, bool disabled, bool soft) =>
        FeatureLimit.FromParts(disabled ? LimitKind.Disabled : value is null ? LimitKind.Unlimited : LimitKind.Limited, value, soft);

    private static string? StringOrNull(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetString();

    private static Instant? InstantOrNull(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : FromMicroseconds(element.GetInt64());

    // A tick is 100 ns: ten to a microsecond.
    private static Instant FromMicroseconds(long microseconds) => Instant.FromUnixTimeTicks(microseconds * 10);
}
