namespace QuotaKit;

/// <summary>
/// Supplies a subject's <see cref="SubjectContext"/>. Implement it to read plans from your own subscription table; the
/// default (registered by the store) reads QuotaKit's subjects table. Called on every usage call: cache as needed.
/// </summary>
public interface ISubjectContextResolver
{
    /// <summary>Returns the context of <paramref name="subjectId"/>; <see cref="SubjectContext.Default"/> when it is unknown.</summary>
    ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken);
}
