using Microsoft.AspNetCore.Mvc.Filters;

namespace QuotaKit.AspNetCore;

/// <summary>
/// MVC: the action (or every action of the controller) consumes <see cref="FeatureKey"/>. Several attributes are consumed
/// all-or-nothing, the controller's first. The amount is <see cref="Amount"/>, or a route, query or header value.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireQuotaAttribute : Attribute, IQuotaRequirementMetadata, IFilterFactory, IOrderedFilter
{
    /// <summary>Requires <paramref name="featureKey"/>.</summary>
    public RequireQuotaAttribute(string featureKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureKey);
        FeatureKey = featureKey;
    }

    /// <inheritdoc />
    public string FeatureKey { get; }

    /// <summary>A constant amount per request. Default 1.</summary>
    public long Amount { get; set; } = 1;

    /// <summary>Take the amount from this route value instead of <see cref="Amount"/>.</summary>
    public string? AmountFromRoute { get; set; }

    /// <summary>Take the amount from this query value instead of <see cref="Amount"/>.</summary>
    public string? AmountFromQuery { get; set; }

    /// <summary>Take the amount from this request header instead of <see cref="Amount"/>.</summary>
    public string? AmountFromHeader { get; set; }

    /// <inheritdoc />
    public bool ChargeOnlyOnSuccess { get; set; }

    /// <inheritdoc />
    public bool SendRateLimitHeaders { get; set; } = true;

    /// <summary>Runs with the action filters, after model binding.</summary>
    public int Order { get; set; }

    /// <inheritdoc />
    public bool IsReusable => true;

    /// <inheritdoc />
    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider) =>
        new QuotaActionFilter(QuotaGate.Resolve(serviceProvider));

    /// <inheritdoc />
    public async ValueTask<long> GetAmountAsync(QuotaRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return AmountFromRoute is not null ? await QuotaAmount.FromRoute(AmountFromRoute)(context).ConfigureAwait(false)
            : AmountFromQuery is not null ? await QuotaAmount.FromQuery(AmountFromQuery)(context).ConfigureAwait(false)
            : AmountFromHeader is not null ? await QuotaAmount.FromHeader(AmountFromHeader)(context).ConfigureAwait(false)
            : Amount;
    }
}
