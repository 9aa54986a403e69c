using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>Reads the gate's decisions from a request.</summary>
public static class QuotaHttpContextExtensions
{
    /// <summary>The gate's decisions for this request, or <c>null</c> when the endpoint is not gated.</summary>
    public static IQuotaFeature? GetQuotaFeature(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IQuotaFeature>();
    }
}
