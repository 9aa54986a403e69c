using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>How gated endpoints find the subject and answer denials and failures. Configure with
/// <see cref="QuotaKitHttpBuilderExtensions.ConfigureHttpGate"/>.</summary>
public sealed class QuotaHttpOptions
{
    /// <summary>
    /// Finds the subject (who usage belongs to) of a request; <c>null</c> or empty means "no subject". Default:
    /// <see cref="QuotaSubjects.UserId"/> (the authenticated user's NameIdentifier claim, else <c>sub</c>).
    /// </summary>
    public Func<HttpContext, string?> SubjectResolver { get; set; } = QuotaSubjects.UserId;

    /// <summary>Status of a request without a subject. Default 401; some APIs prefer 403.</summary>
    public int MissingSubjectStatusCode { get; set; } = StatusCodes.Status401Unauthorized;

    /// <summary>
    /// Status of a request denied because a hard limit would be exceeded. Default 429 (Too Many Requests), which tells
    /// clients to retry after <c>Retry-After</c>. Some APIs answer a spent monthly quota with 403 instead.
    /// </summary>
    public int LimitExceededStatusCode { get; set; } = StatusCodes.Status429TooManyRequests;

    /// <summary>Status of a request for a feature its plan disables (a limit of 0 that no reset lifts). Default 403.</summary>
    public int FeatureDisabledStatusCode { get; set; } = StatusCodes.Status403Forbidden;

    /// <summary>The <c>Retry-After</c> sent with a 503 when the usage store is unavailable. Default 5 seconds.</summary>
    public TimeSpan StoreUnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Features whose requests are let through, uncounted, when the store is unavailable (logged as a warning and
    /// counted on the <c>quotakit.http.fail_open</c> instrument). Every other feature answers 503.
    /// </summary>
    public ISet<string> FailOpenFeatures { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether gated responses carry <c>RateLimit-Policy</c> and <c>RateLimit</c>; endpoints can turn them off. Default true.</summary>
    public bool SendRateLimitHeaders { get; set; } = true;

    /// <summary>The request header whose value becomes the idempotency key of the gate's usage calls. Default <c>Idempotency-Key</c>.</summary>
    public string IdempotencyKeyHeader { get; set; } = "Idempotency-Key";
}
