using NodaTime;

namespace QuotaKit;

/// <summary>
/// The one implementation of <see cref="IQuotaAdministration"/>: checks the arguments, lets the <see cref="SubjectStore"/>
/// persist the change, and evicts the subject from this process's cache.
/// </summary>
internal sealed class QuotaAdministration : IQuotaAdministration
{
    private readonly QuotaKitRuntime _runtime;
    private readonly SubjectStore _subjects;
    private readonly UsageStore _usage;
    private readonly SubjectCache _cache;
    private readonly IClock _clock;

    public QuotaAdministration(QuotaKitRuntime runtime, SubjectStore subjects, UsageStore usage, SubjectCache cache, IClock clock)
    {
        _runtime = runtime;
        _subjects = subjects;
        _usage = usage;
        _cache = cache;
        _clock = clock;
    }

    public Task SetPlanAsync(string subjectId, string planKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        _runtime.RequirePlan(planKey);
        if (!PlanChanges.AnyRules(_runtime))
        {
            return ChangeAsync(subjectId, now => _subjects.SetPlanAsync(subjectId, planKey, now, cancellationToken));
        }

        // The rules judge the change against the subject's plan as stored at that moment, so the store reads it under the
        // same lock it writes with.
        return ChangeAsync(subjectId, now => _subjects.ChangePlanAsync(
            subjectId, planKey, now, stored => PlanChanges.Of(_runtime, stored, planKey, now), cancellationToken));
    }

    public Task SetTimeZoneAsync(string subjectId, string? timeZoneId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var zone = timeZoneId is null ? null : TimeZones.Get(timeZoneId);
        return ChangeAsync(subjectId, now => _subjects.SetTimeZoneAsync(subjectId, zone, now, cancellationToken));
    }

    public Task SetBillingAnchorAsync(string subjectId, Instant? anchor, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        return ChangeAsync(subjectId, now => _subjects.SetBillingAnchorAsync(subjectId, anchor, now, cancellationToken));
    }

    public Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        return ChangeAsync(subjectId, now => _subjects.SetOverrideAsync(subjectId, feature.Key, limit, now, cancellationToken));
    }

    public Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        return ChangeAsync(subjectId, _ => _subjects.RemoveOverrideAsync(subjectId, feature.Key, cancellationToken));
    }

    public Task AddGrantAsync(
        string subjectId, string featureKey, long amount, Instant validFrom, Instant validUntil, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageArguments.ValidatePositive(amount);
        UsageArguments.ValidateGrantWindow(validFrom, validUntil);
        var grant = new UsageGrant(feature.Key, amount, validFrom, validUntil, reason);
        return ChangeAsync(subjectId, now => _subjects.AddGrantAsync(subjectId, grant, now, cancellationToken));
    }

    public async Task<CreditBlock> AddCreditBlockAsync(
        string subjectId, string featureKey, long amount, Instant? validFrom = null, Instant? validUntil = null, int priority = 0,
        string? reason = null, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        UsageOperation.Consume.RequireFits(feature, "AddCreditBlock");
        UsageArguments.ValidatePositive(amount);
        var now = _clock.GetCurrentInstant();
        var from = validFrom ?? now;
        CreditBlockArguments.ValidateWindow(from, validUntil);
        CreditBlockArguments.ValidateReason(reason);
        if (!_usage.SupportsCreditBlocks)
        {
            throw new NotSupportedException($"{_usage.GetType().Name} does not keep credit blocks (SupportsCreditBlocks is false).");
        }

        var block = new CreditBlock(Guid.CreateVersion7(now.ToDateTimeOffset()), feature.Key, amount, 0, priority, from, validUntil, now, reason);
        await _usage.AddCreditBlockAsync(subjectId, block, cancellationToken).ConfigureAwait(false);
        return block;
    }

    public Task<IReadOnlyList<CreditBlock>> GetCreditBlocksAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        return _usage.ReadCreditBlocksAsync(subjectId, cancellationToken);
    }

    public Task<SubjectContext> GetSubjectAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        return _subjects.ReadAsync(subjectId, cancellationToken);
    }

    public Task<bool> ResetAsync(string subjectId, string featureKey, CancellationToken cancellationToken = default)
    {
        UsageArguments.ValidateSubject(subjectId);
        var feature = _runtime.GetFeature(featureKey);
        return _usage.ResetCounterAsync(subjectId, feature.Key, _clock.GetCurrentInstant(), cancellationToken);
    }

    public Task<int> PurgeExpiredIdempotencyKeysAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _clock.GetCurrentInstant() - _runtime.Options.IdempotencyRetention;
        return _usage.ForgetIdempotencyKeysAsync(cutoff, cancellationToken);
    }

    private async Task ChangeAsync(string subjectId, Func<Instant, Task> change)
    {
        try
        {
            await change(_clock.GetCurrentInstant()).ConfigureAwait(false);
        }
        finally
        {
            // Also after a failure: the write may have committed before the connection broke.
            _cache.Invalidate(subjectId);
        }
    }
}
