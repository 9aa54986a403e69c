using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.Testing;

/// <summary>Registers the in-memory store.</summary>
public static class InMemoryQuotaKitBuilderExtensions
{
    /// <summary>
    /// Stores usage and subjects in memory (<see cref="InMemoryUsageStore"/> and <see cref="InMemorySubjectStore"/>, one
    /// of each per service provider) instead of PostgreSQL, with the same semantics. A resolver set with
    /// <c>UseSubjectContextResolver</c> still supplies subject contexts.
    /// </summary>
    public static QuotaKitBuilder UseInMemoryStore(this QuotaKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // One usage store per provider, shared with the subject store so that plan changes can reset its counters.
        return builder.UseStore(
            _ => new InMemoryUsageStore(),
            provider => new InMemorySubjectStore(provider.GetRequiredService<UsageStore>() as InMemoryUsageStore));
    }
}
