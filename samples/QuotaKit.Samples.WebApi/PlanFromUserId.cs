namespace QuotaKit.Samples.WebApi;

/// <summary>
/// The sample's subscription table: users whose id starts with "pro-" are on the pro plan, everyone else on free.
/// A real app reads its own subscriptions here, or calls IQuotaAdministration.SetPlanAsync when a plan changes.
/// </summary>
internal sealed class PlanFromUserId : ISubjectContextResolver
{
    public ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SubjectContext { PlanKey = subjectId.StartsWith("pro-", StringComparison.Ordinal) ? "pro" : "free" });
}
