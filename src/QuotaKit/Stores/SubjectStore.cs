using NodaTime;

namespace QuotaKit;

/// <summary>
/// The storage contract for subjects: plans, time zones, billing anchors, per-subject limit overrides and grants. The
/// arguments are validated by QuotaKit before a store sees them (known plan and feature, valid subject id, a positive
/// grant with a non-empty window). Every method throws <see cref="QuotaStoreUnavailableException"/> when storage fails.
/// </summary>
/// <remarks>
/// QuotaKit reads subjects through <see cref="ReadAsync"/> (cached by <see cref="QuotaKitOptions.SubjectCacheDuration"/>)
/// unless the host supplies its own <see cref="ISubjectContextResolver"/>. A write makes QuotaKit evict the subject from
/// its cache in this process.
/// </remarks>
public abstract class SubjectStore
{
    /// <summary>The stored context of <paramref name="subjectId"/>; <see cref="SubjectContext.Default"/> when the subject is unknown.</summary>
    public abstract Task<SubjectContext> ReadAsync(string subjectId, CancellationToken cancellationToken);

    /// <summary>Sets the subject's plan, creating the subject when needed.</summary>
    public abstract Task SetPlanAsync(string subjectId, string planKey, Instant now, CancellationToken cancellationToken);

    /// <summary>Sets the subject's time zone (<c>null</c> clears it), creating the subject when needed.</summary>
    public abstract Task SetTimeZoneAsync(string subjectId, DateTimeZone? timeZone, Instant now, CancellationToken cancellationToken);

    /// <summary>Sets the subject's billing anchor (<c>null</c> clears it), creating the subject when needed.</summary>
    public abstract Task SetBillingAnchorAsync(string subjectId, Instant? anchor, Instant now, CancellationToken cancellationToken);

    /// <summary>Stores a per-subject limit for one feature, replacing an earlier one. All four kinds (hard, soft,
    /// unlimited, disabled) must read back as they were set.</summary>
    public abstract Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, Instant now, CancellationToken cancellationToken);

    /// <summary>Removes a per-subject limit; nothing happens when there is none.</summary>
    public abstract Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken);

    /// <summary>Adds a grant of extra units; grants read back in the order they were added.</summary>
    public abstract Task AddGrantAsync(string subjectId, UsageGrant grant, Instant now, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the subject's plan and applies what the change does to the current period, atomically: reads the subject's
    /// context as stored (locked against concurrent changes), asks <paramref name="effectsOf"/> for the effects, and
    /// writes the plan, the resets and the grants in one transaction. The default supports only changes without effects
    /// (it reads, then calls <see cref="SetPlanAsync"/>); a store that can reset counters overrides it.
    /// </summary>
    /// <exception cref="NotSupportedException">The change has effects and the store cannot apply them atomically.</exception>
    /// <exception cref="QuotaStoreUnavailableException">The store could not be reached or failed.</exception>
    public virtual async Task ChangePlanAsync(
        string subjectId, string planKey, Instant now, Func<SubjectContext, PlanChangeEffects> effectsOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(effectsOf);
        var effects = effectsOf(await ReadAsync(subjectId, cancellationToken).ConfigureAwait(false));
        if (!effects.IsEmpty)
        {
            throw new NotSupportedException(
                $"{GetType().Name} cannot apply plan-change rules (reset or carry-over) atomically; override ChangePlanAsync, or keep the rules at Keep.");
        }

        await SetPlanAsync(subjectId, planKey, now, cancellationToken).ConfigureAwait(false);
    }
}
