using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace QuotaKit.AspNetCore;

/// <summary>
/// The one implementation behind the endpoint filter and the MVC filter: resolve the subject, consume every requirement
/// all-or-nothing, answer denials and failures, and settle charge-on-success requirements after the handler.
/// </summary>
internal sealed partial class QuotaGate(
    IUsageTracker tracker, IClock clock, IOptions<QuotaHttpOptions> options, IOptions<QuotaKitOptions> quotaKitOptions, ILogger<QuotaGate> logger)
{
    private readonly QuotaHttpOptions _options = options.Value;

    public static QuotaGate Resolve(IServiceProvider services) =>
        services.GetService<QuotaGate>() ?? ActivatorUtilities.CreateInstance<QuotaGate>(services);

    /// <summary>
    /// The endpoint's requirements in order (route groups' and controllers' first). MVC lists an attribute that is also a
    /// filter twice in the metadata, so the same instance is taken once.
    /// </summary>
    public static IReadOnlyList<IQuotaRequirementMetadata> RequirementsOf(HttpContext http) =>
        http.GetEndpoint() is { } endpoint
            ? RequirementsByEndpoint.GetValue(endpoint, e => e.Metadata.GetOrderedMetadata<IQuotaRequirementMetadata>()
                .Distinct(ReferenceEqualityComparer.Instance).Cast<IQuotaRequirementMetadata>().ToArray())
            : [];

    // An endpoint's metadata never changes: its requirements are collected once, not on every request.
    private static readonly ConditionalWeakTable<Endpoint, IReadOnlyList<IQuotaRequirementMetadata>> RequirementsByEndpoint = new();

    /// <summary>
    /// Charges the request. Returns a response to send instead of running the handler, or null to run it (the decisions
    /// are then in <c>HttpContext.Features</c> as <see cref="IQuotaFeature"/>).
    /// </summary>
    public async Task<IResult?> AdmitAsync(HttpContext http, IReadOnlyList<object?> arguments, IReadOnlyList<IQuotaRequirementMetadata> requirements)
    {
        using var activity = QuotaKitHttpTelemetry.ActivitySource.StartActivity("quotakit.gate");
        var subject = _options.SubjectResolver(http);
        if (string.IsNullOrEmpty(subject))
        {
            activity?.SetTag("quotakit.outcome", "no-subject");
            return QuotaProblems.MissingSubject(_options);
        }

        var header = http.Request.Headers[_options.IdempotencyKeyHeader];
        if (header.Count > 1)
        {
            return QuotaProblems.BadRequest("Invalid idempotency key", $"Send one {_options.IdempotencyKeyHeader} header, not {header.Count}.");
        }

        var idempotencyKey = header.Count == 1 && !string.IsNullOrEmpty(header[0]) ? header[0] : null;
        var feature = new QuotaFeature(subject, idempotencyKey);
        http.Features.Set<IQuotaFeature>(feature);

        var context = new QuotaRequestContext(http, arguments);
        foreach (var requirement in requirements)
        {
            IResult? rejection;
            try
            {
                rejection = await ChargeAsync(http, context, feature, requirement, activity);
            }
            catch (OperationCanceledException)
            {
                // The client went away part-way: nothing it asked for will run, so nothing stays charged.
                await RefundAllAsync(feature);
                throw;
            }

            if (rejection is not null)
            {
                await RefundAllAsync(feature);
                WriteHeaders(http, feature);
                return rejection;
            }
        }

        activity?.SetTag("quotakit.outcome", "allowed");
        WriteHeaders(http, feature);
        return null;
    }

    /// <summary>After the handler: refunds charge-on-success requirements when it failed, and updates the headers.</summary>
    public async Task SettleAsync(HttpContext http, bool handlerFailed)
    {
        if (!handlerFailed || http.Features.Get<IQuotaFeature>() is not QuotaFeature feature)
        {
            return;
        }

        if (await RefundAllAsync(feature, onlyChargeOnSuccess: true) && !http.Response.HasStarted)
        {
            WriteHeaders(http, feature);
        }
    }

    private async Task<IResult?> ChargeAsync(
        HttpContext http, QuotaRequestContext context, QuotaFeature feature, IQuotaRequirementMetadata requirement, Activity? activity)
    {
        long amount = 0;
        try
        {
            amount = await requirement.GetAmountAsync(context);
            var usageOptions = feature.IdempotencyKey is { } key
                ? new UsageOptions { IdempotencyKey = $"{key}:{requirement.FeatureKey}" }
                : null;
            var decision = await tracker.TryConsumeAsync(feature.SubjectId, requirement.FeatureKey, amount, usageOptions, http.RequestAborted);
            if (!decision.Allowed)
            {
                activity?.SetTag("quotakit.outcome", "denied");
                activity?.SetTag("quotakit.feature", requirement.FeatureKey);
                if (requirement.SendRateLimitHeaders)
                {
                    feature.Advertised.Add(decision);
                }

                return QuotaProblems.Denied(http, decision, amount, UnitOf(requirement.FeatureKey), _options, clock.GetCurrentInstant());
            }

            feature.AddCharge(requirement, amount, decision);
            return null;
        }
        catch (QuotaRequestException exception)
        {
            return QuotaProblems.BadRequest("Invalid quota amount", exception.Message);
        }
        catch (QuotaStoreUnavailableException exception) when (_options.FailOpenFeatures.Contains(requirement.FeatureKey))
        {
            LogFailOpen(exception, requirement.FeatureKey);
            QuotaKitHttpTelemetry.RecordFailOpen(requirement.FeatureKey);
            feature.AddFailedOpen(requirement.FeatureKey);
            return null;
        }
        catch (QuotaKitException exception)
        {
            activity?.SetTag("quotakit.outcome", "error");
            if (QuotaProblems.IsServerFault(exception))
            {
                LogGateFailed(exception, requirement.FeatureKey);
            }

            return QuotaProblems.FromException(http, exception, _options);
        }
    }

    /// <summary>Gives back what was charged (all of it, or only charge-on-success requirements); true if anything was refunded.</summary>
    private async Task<bool> RefundAllAsync(QuotaFeature feature, bool onlyChargeOnSuccess = false)
    {
        var refunded = false;
        foreach (var (requirement, amount) in feature.Charges)
        {
            if (onlyChargeOnSuccess && !requirement.ChargeOnlyOnSuccess)
            {
                continue;
            }

            try
            {
                // Not the request's token: a refund must complete even when the client has gone.
                var refund = await tracker.RefundAsync(
                    feature.SubjectId, requirement.FeatureKey, amount,
                    UsageOptions.WithIdempotencyKey(feature.RefundKey(requirement.FeatureKey)), CancellationToken.None);
                feature.ReplaceAdvertised(refund);
                refunded = true;
            }
            catch (QuotaKitException exception)
            {
                // The response is decided already; the lost refund is logged so it can be given back by hand.
                LogRefundFailed(exception, requirement.FeatureKey, amount, feature.SubjectId);
            }
        }

        feature.Charges.Clear();
        return refunded;
    }

    private void WriteHeaders(HttpContext http, QuotaFeature feature)
    {
        if (_options.SendRateLimitHeaders)
        {
            RateLimitHeaders.Write(http.Response, feature.Advertised, clock.GetCurrentInstant());
        }
    }

    private string UnitOf(string featureKey) =>
        quotaKitOptions.Value.Features.TryGetValue(featureKey, out var definition) ? definition.Unit : "units";

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Quota store unavailable: request for feature '{FeatureKey}' let through uncounted (fail-open).")]
    private partial void LogFailOpen(Exception exception, string featureKey);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Quota gate failed for feature '{FeatureKey}'; answered without running the endpoint.")]
    private partial void LogGateFailed(Exception exception, string featureKey);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Refund of {Amount} '{FeatureKey}' for subject '{SubjectId}' failed; give it back by hand.")]
    private partial void LogRefundFailed(Exception exception, string featureKey, long amount, string subjectId);
}
