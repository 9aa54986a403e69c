using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>Gates minimal API endpoints and route groups.</summary>
public static class QuotaEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Every request to the endpoint (or to every endpoint of the group) consumes <paramref name="featureKey"/> before
    /// the handler runs: one unit, or what <paramref name="configure"/> sets (a constant, or an amount from the route,
    /// query, a header or the body; charge only on success; no RateLimit headers). Several requirements on one endpoint
    /// are consumed all-or-nothing. Denied: 429 problem with <c>Retry-After</c>. See <see cref="QuotaHttpOptions"/>.
    /// </summary>
    public static TBuilder RequireQuota<TBuilder>(this TBuilder builder, string featureKey, Action<QuotaRequirement>? configure = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new QuotaRequirement(featureKey);
        configure?.Invoke(requirement);
        builder.WithMetadata(requirement);
        builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var filter = new QuotaEndpointFilter(QuotaGate.Resolve(factoryContext.ApplicationServices));
            return invocationContext => filter.InvokeAsync(invocationContext, next);
        });
        return builder;
    }
}
