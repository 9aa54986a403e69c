using NodaTime;

namespace QuotaKit;

/// <summary>Optional settings of one usage call.</summary>
public sealed class UsageOptions
{
    /// <summary>
    /// A key unique per subject for this usage event (e.g. the request id). A repeated call with the same key returns
    /// the first call's decision and applies nothing again. At most 200 characters.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When the usage happened; picks the period. Default: the clock's current instant.</summary>
    public Instant? At { get; init; }

    /// <summary>Optional JSON object stored with the usage event (for audit), e.g. <c>{"model":"large"}</c>.</summary>
    public string? MetadataJson { get; init; }

    /// <summary>Options with only an idempotency key.</summary>
    public static UsageOptions WithIdempotencyKey(string idempotencyKey) => new() { IdempotencyKey = idempotencyKey };
}
