using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QuotaKit.AspNetCore;

/// <summary>Maps the usage page endpoint.</summary>
public static class QuotaUsageEndpointRouteBuilderExtensions
{
    private static readonly Action<ILogger, Exception?> UsagePageFailed =
        LoggerMessage.Define(LogLevel.Error, new EventId(1, "UsagePageFailed"), "Usage page failed.");

    /// <summary>
    /// <c>GET <paramref name="pattern"/></c>: the current subject's usage of every feature in its current period, as JSON
    /// (<see cref="QuotaUsageItem"/>: feature, unit, used, limit, remaining, periodStart, resetsAt). The subject comes
    /// from <see cref="QuotaHttpOptions.SubjectResolver"/>; without one the answer is the missing-subject problem.
    /// Chain <c>.RequireAuthorization()</c> as for any endpoint.
    /// </summary>
    public static RouteHandlerBuilder MapQuotaUsage(this IEndpointRouteBuilder endpoints, string pattern = "/usage")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, GetUsageAsync);
    }

    private static async Task<IResult> GetUsageAsync(
        HttpContext http, IUsageTracker tracker, IOptions<QuotaHttpOptions> options, ILoggerFactory loggers)
    {
        var subject = options.Value.SubjectResolver(http);
        if (string.IsNullOrEmpty(subject))
        {
            return QuotaProblems.MissingSubject(options.Value);
        }

        try
        {
            var usage = await tracker.GetUsageAsync(subject, cancellationToken: http.RequestAborted);
            return Results.Ok(usage.Select(QuotaUsageItem.From).ToList());
        }
        catch (QuotaKitException exception)
        {
            if (QuotaProblems.IsServerFault(exception))
            {
                UsagePageFailed(loggers.CreateLogger(typeof(QuotaUsageEndpointRouteBuilderExtensions)), exception);
            }

            return QuotaProblems.FromException(http, exception, options.Value);
        }
    }
}
