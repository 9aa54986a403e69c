using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace QuotaKit.AspNetCore;

/// <summary>Ready-made subject resolvers for <see cref="QuotaHttpOptions.SubjectResolver"/>.</summary>
public static class QuotaSubjects
{
    /// <summary>The authenticated user's <see cref="ClaimTypes.NameIdentifier"/> claim, else its <c>sub</c> claim.</summary>
    public static string? UserId(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        return user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.FindFirst("sub")?.Value;
    }

    /// <summary>The authenticated user's claim of type <paramref name="claimType"/> (e.g. <c>org_id</c> for per-organisation quotas).</summary>
    public static Func<HttpContext, string?> Claim(string claimType)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimType);
        return context => context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(claimType)?.Value : null;
    }

    /// <summary>
    /// The value of request header <paramref name="headerName"/> (e.g. an API key id set by a gateway). Only use a
    /// header the client cannot forge, or one an authentication layer has verified.
    /// </summary>
    public static Func<HttpContext, string?> Header(string headerName)
    {
        ArgumentException.ThrowIfNullOrEmpty(headerName);
        return context => context.Request.Headers.TryGetValue(headerName, out var values) && values.Count == 1 ? values[0] : null;
    }

    /// <summary>The route value <paramref name="routeValueName"/> (e.g. <c>/tenants/{tenantId}/...</c>).</summary>
    public static Func<HttpContext, string?> RouteValue(string routeValueName)
    {
        ArgumentException.ThrowIfNullOrEmpty(routeValueName);
        return context => context.Request.RouteValues.TryGetValue(routeValueName, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}
