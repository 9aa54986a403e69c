using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;

namespace QuotaKit.AspNetCore;

/// <summary>The RFC 9457 problem responses of the gate.</summary>
internal static class QuotaProblems
{
    /// <summary>The problem type of draft-ietf-httpapi-ratelimit-headers for a request over one or more quota policies.</summary>
    public const string QuotaExceededType = "https://iana.org/assignments/http-problem-types#quota-exceeded";

    public const string QuotaExceededTitle = "Request cannot be satisfied as assigned quota has been exceeded";

    public static IResult Denied(HttpContext http, UsageDecision decision, long requested, string unit, QuotaHttpOptions options, Instant now)
    {
        var disabled = decision.Outcome == UsageOutcome.FeatureDisabled;
        var resets = RateLimitHeaders.Resets(decision.Period) && !disabled;
        var resetsAt = InstantPattern.ExtendedIso.Format(decision.ResetsAt);
        var detail = disabled
            ? $"Feature '{decision.FeatureKey}' is not available on your plan (limit 0)."
            : $"Quota '{decision.FeatureKey}' exceeded: {decision.Used} of {decision.Limit.Value} {unit} used, {requested} more requested; " +
              (resets ? $"it resets at {resetsAt}." : "it does not reset.");
        if (resets)
        {
            http.Response.Headers.RetryAfter = RateLimitHeaders.Format(RateLimitHeaders.SecondsUntil(decision.ResetsAt, now));
        }

        var problem = new ProblemDetails
        {
            Type = QuotaExceededType,
            Title = QuotaExceededTitle,
            Status = disabled ? options.FeatureDisabledStatusCode : options.LimitExceededStatusCode,
            Detail = detail,
        };
        problem.Extensions["violated-policies"] = new[] { decision.FeatureKey };
        problem.Extensions["feature"] = decision.FeatureKey;
        problem.Extensions["used"] = decision.Used;
        problem.Extensions["limit"] = decision.Limit.AsNumber;
        problem.Extensions["requested"] = requested;
        problem.Extensions["resetsAt"] = resets ? resetsAt : null;
        return Results.Problem(problem);
    }

    public static IResult MissingSubject(QuotaHttpOptions options) =>
        Results.Problem(
            statusCode: options.MissingSubjectStatusCode,
            title: "No quota subject",
            detail: "This endpoint is metered per subject and the request has none: authenticate (or send what the API uses to identify you).");

    public static IResult BadRequest(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    public static IResult StoreUnavailable(HttpContext http, QuotaHttpOptions options)
    {
        http.Response.Headers.RetryAfter = RateLimitHeaders.Format((long)Math.Ceiling(options.StoreUnavailableRetryAfter.TotalSeconds));
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Quota store unavailable",
            detail: "Usage could not be checked right now, so the request was not processed. Retry after the Retry-After delay (with the same Idempotency-Key).");
    }

    /// <summary>
    /// Maps a QuotaKit exception to a response: the client's fault is a 4xx, the server's a 503 (logged by the caller),
    /// never a 500.
    /// </summary>
    public static IResult FromException(HttpContext http, QuotaKitException exception, QuotaHttpOptions options) => exception switch
    {
        QuotaStoreUnavailableException => StoreUnavailable(http, options),
        InvalidSubjectException => BadRequest("Invalid quota subject", exception.Message),
        InvalidAmountException => BadRequest("Invalid quota amount", exception.Message),
        InvalidUsageOptionsException => BadRequest("Invalid idempotency key", exception.Message),
        IdempotencyConflictException => Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Idempotency key reused",
            detail: $"This {options.IdempotencyKeyHeader} was first used for a different request; send a new key for a new request."),
        _ => Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Quota configuration error",
            detail: "The server's quota configuration does not cover this request; the error is logged for the operators."),
    };

    /// <summary>Whether the exception is the server's fault (log it as an error).</summary>
    public static bool IsServerFault(QuotaKitException exception) =>
        exception is not (InvalidSubjectException or InvalidAmountException or InvalidUsageOptionsException or IdempotencyConflictException);
}
