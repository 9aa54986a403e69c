using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace QuotaKit.AspNetCore;

/// <summary>Configures the HTTP gate from <c>AddQuotaKit(...)</c>.</summary>
public static class QuotaKitHttpBuilderExtensions
{
    /// <summary>
    /// Sets how gated endpoints find the subject and answer denials (<see cref="QuotaHttpOptions"/>). Optional: without
    /// it the defaults apply (the user id claim, 401, 429, 403 for disabled features, 503 when the store fails).
    /// </summary>
    public static QuotaKitBuilder ConfigureHttpGate(this QuotaKitBuilder builder, Action<QuotaHttpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.TryAddSingleton<QuotaGate>();
        builder.Services.Configure(configure);
        return builder;
    }
}
