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
        return builder.UseStore<InMemoryUsageStore, InMemorySubjectStore>();
    }
}
