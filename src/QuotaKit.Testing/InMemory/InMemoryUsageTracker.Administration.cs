using NodaTime;

namespace QuotaKit.Testing;

/// <summary>The subject store: what <see cref="IQuotaAdministration"/> sets, and what <see cref="ISubjectContextResolver"/> reads.</summary>
public sealed partial class InMemoryUsageTracker
{
    /// <inheritdoc />
    public ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_subjects.GetValueOrDefault(subjectId) ?? SubjectContext.Default);
        }
    }

    /// <inheritdoc />
    public Task SetPlanAsync(string subjectId, string planKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.RequirePlan(planKey);

        return UpdateSubject(subjectId, s => s with { PlanKey = planKey });
    }

    /// <inheritdoc />
    public Task SetTimeZoneAsync(string subjectId, string? timeZoneId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var zone = timeZoneId is null ? null : TimeZones.Get(timeZoneId);
        return UpdateSubject(subjectId, s => s with { TimeZone = zone });
    }

    /// <inheritdoc />
    public Task SetBillingAnchorAsync(string subjectId, Instant? anchor, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        return UpdateSubject(subjectId, s => s with { BillingAnchor = anchor });
    }

    /// <inheritdoc />
    public Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        return UpdateSubject(subjectId, s => s with
        {
            Overrides = new Dictionary<string, FeatureLimit>(s.Overrides, StringComparer.Ordinal) { [feature.Key] = limit },
        });
    }

    /// <inheritdoc />
    public Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        return UpdateSubject(subjectId, s => s with
        {
            Overrides = s.Overrides.Where(o => o.Key != feature.Key).ToDictionary(StringComparer.Ordinal),
        });
    }

    /// <inheritdoc />
    public Task AddGrantAsync(
        string subjectId, string featureKey, long amount, Instant validFrom, Instant validUntil, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidatePositive(amount);
        UsageArguments.ValidateGrantWindow(validFrom, validUntil);

        var grant = new UsageGrant(feature.Key, amount, validFrom, validUntil, reason);
        return UpdateSubject(subjectId, s => s with { Grants = [.. s.Grants, grant] });
    }

    /// <inheritdoc />
    public Task<SubjectContext> GetSubjectAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        return ResolveAsync(subjectId, cancellationToken).AsTask();
    }

    /// <inheritdoc />
    public Task<int> PurgeExpiredIdempotencyKeysAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _clock.GetCurrentInstant() - _runtime.Options.IdempotencyRetention;
        lock (_gate)
        {
            var expired = _idempotency.Where(r => r.Value.RecordedAt < cutoff).Select(r => r.Key).ToList();
            expired.ForEach(key => _idempotency.Remove(key));
            return Task.FromResult(expired.Count);
        }
    }

    private Task UpdateSubject(string subjectId, Func<SubjectContext, SubjectContext> change)
    {
        lock (_gate)
        {
            _subjects[subjectId] = change(_subjects.GetValueOrDefault(subjectId) ?? SubjectContext.Default);
        }

        return Task.CompletedTask;
    }
}
