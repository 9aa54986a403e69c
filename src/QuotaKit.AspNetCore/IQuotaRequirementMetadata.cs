namespace QuotaKit.AspNetCore;

/// <summary>
/// Endpoint metadata: "this endpoint consumes <see cref="FeatureKey"/>". Added by
/// <see cref="QuotaEndpointConventionBuilderExtensions.RequireQuota{TBuilder}(TBuilder, string, Action{QuotaRequirement}?)"/>
/// and <see cref="RequireQuotaAttribute"/>. Every requirement of an endpoint (its route groups' first) is consumed
/// all-or-nothing, in order.
/// </summary>
public interface IQuotaRequirementMetadata
{
    /// <summary>The feature consumed.</summary>
    string FeatureKey { get; }

    /// <summary>Refund the units when the handler throws or answers 5xx.</summary>
    bool ChargeOnlyOnSuccess { get; }

    /// <summary>Send <c>RateLimit-Policy</c> and <c>RateLimit</c> for this feature (also needs <see cref="QuotaHttpOptions.SendRateLimitHeaders"/>).</summary>
    bool SendRateLimitHeaders { get; }

    /// <summary>The amount this request consumes.</summary>
    /// <exception cref="QuotaRequestException">The request does not carry a valid amount (answered with 400).</exception>
    ValueTask<long> GetAmountAsync(QuotaRequestContext context);
}
