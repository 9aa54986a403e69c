using NodaTime;

namespace QuotaKit.Testing;

/// <summary>A <see cref="SubjectStore"/> held in memory: plans, zones, anchors, overrides and grants by subject id.</summary>
public sealed class InMemorySubjectStore : SubjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SubjectContext> _subjects = new(StringComparer.Ordinal);

    // The usage store whose counters a plan change resets; null for a subject store used on its own (or beside another
    // usage store).
    private readonly InMemoryUsageStore? _usage;

    /// <summary>A subject store on its own: plan changes whose rules reset counters are not supported.</summary>
    public InMemorySubjectStore()
    {
    }

    internal InMemorySubjectStore(InMemoryUsageStore? usage)
    {
        _usage = usage;
    }

    /// <summary>Under this store's lock: reads, works out the effects, sets the plan, resets the counters in the usage
    /// store (which never takes this lock, so the order cannot deadlock) and adds the grants.</summary>
    public override Task ChangePlanAsync(
        string subjectId, string planKey, Instant now, Func<SubjectContext, PlanChangeEffects> effectsOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(effectsOf);
        lock (_gate)
        {
            var stored = _subjects.GetValueOrDefault(subjectId) ?? SubjectContext.Default;
            var effects = effectsOf(stored);
            if (effects.ResetFeatureKeys.Count > 0 && _usage is null)
            {
                throw new NotSupportedException(
                    "This InMemorySubjectStore was created without its usage store, so it cannot reset counters on a plan change; use UseInMemoryStore().");
            }

            foreach (var featureKey in effects.ResetFeatureKeys)
            {
                _usage!.ResetCounterAsync(subjectId, featureKey, now, cancellationToken).GetAwaiter().GetResult();
            }

            _subjects[subjectId] = stored with { PlanKey = planKey, Grants = [.. stored.Grants, .. effects.Grants] };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<SubjectContext> ReadAsync(string subjectId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_subjects.GetValueOrDefault(subjectId) ?? SubjectContext.Default);
        }
    }

    /// <inheritdoc />
    public override Task SetPlanAsync(string subjectId, string planKey, Instant now, CancellationToken cancellationToken) =>
        Update(subjectId, s => s with { PlanKey = planKey });

    /// <inheritdoc />
    public override Task SetTimeZoneAsync(string subjectId, DateTimeZone? timeZone, Instant now, CancellationToken cancellationToken) =>
        Update(subjectId, s => s with { TimeZone = timeZone });

    /// <inheritdoc />
    public override Task SetBillingAnchorAsync(string subjectId, Instant? anchor, Instant now, CancellationToken cancellationToken) =>
        Update(subjectId, s => s with { BillingAnchor = anchor });

    /// <inheritdoc />
    public override Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, Instant now, CancellationToken cancellationToken) =>
        Update(subjectId, s => s with
        {
            Overrides = new Dictionary<string, FeatureLimit>(s.Overrides, StringComparer.Ordinal) { [featureKey] = limit },
        });

    /// <inheritdoc />
    public override Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken) =>
        Update(subjectId, s => s with { Overrides = s.Overrides.Where(o => o.Key != featureKey).ToDictionary(StringComparer.Ordinal) });

    /// <inheritdoc />
    public override Task AddGrantAsync(string subjectId, UsageGrant grant, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return Update(subjectId, s => s with { Grants = [.. s.Grants, grant] });
    }

    private Task Update(string subjectId, Func<SubjectContext, SubjectContext> change)
    {
        lock (_gate)
        {
            _subjects[subjectId] = change(_subjects.GetValueOrDefault(subjectId) ?? SubjectContext.Default);
        }

        return Task.CompletedTask;
    }
}
