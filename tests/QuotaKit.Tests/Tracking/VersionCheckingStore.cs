using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// The subject-version half of the store contract, in memory: like the PostgreSQL store, it refuses (writes nothing
/// and answers <see cref="UsageWriteResult.SubjectChanged"/>) a write worked out from a subject version it does not
/// hold, so the tracker's guessing and retry paths can be driven without a server. Counts the writes it was sent.
/// </summary>
internal sealed class VersionCheckingStore(VersionedSubjectStore subjects) : DelegatingStore
{
    /// <summary>When false, a refusal does not carry the current context (the tracker must read it).</summary>
    public bool SendsCurrentContext { get; set; } = true;

    /// <summary>When true, every write is refused as if the subject changed between each read and write.</summary>
    public bool AlwaysChanged { get; set; }

    public int WriteAttempts { get; private set; }

    public override bool VerifiesSubjectVersions => true;

    public override async ValueTask<UsageWriteResult> WriteAsync(UsageWrite write, CancellationToken cancellationToken)
    {
        WriteAttempts++;
        var current = await subjects.ReadAsync(write.SubjectId, cancellationToken);
        if (AlwaysChanged || write.SubjectVersion != current.Version)
        {
            return UsageWriteResult.SubjectChanged(SendsCurrentContext ? current : null);
        }

        return await Inner.WriteAsync(write, cancellationToken);
    }
}

/// <summary>
/// In-memory subjects with versions as PostgreSQL keeps them: 0 for a subject with nothing stored, a new number on each
/// change. <see cref="ChangeBehindTheCache"/> changes a subject without telling the tracker's cache (another instance's
/// change whose notification has not arrived).
/// </summary>
internal sealed class VersionedSubjectStore : SubjectStore
{
    private readonly InMemorySubjectStore _inner = new();
    private readonly Dictionary<string, long> _versions = [];
    private long _lastVersion;

    /// <summary>Each queued failure is thrown by the next read of a subject.</summary>
    public Queue<QuotaStoreUnavailableException> ReadFailures { get; } = new();

    public int ReadAttempts { get; private set; }

    public override async Task<SubjectContext> ReadAsync(string subjectId, CancellationToken cancellationToken)
    {
        ReadAttempts++;
        if (ReadFailures.TryDequeue(out var failure))
        {
            throw failure;
        }

        var context = await _inner.ReadAsync(subjectId, cancellationToken);
        lock (_versions)
        {
            return context with { Version = _versions.GetValueOrDefault(subjectId) };
        }
    }

    public Task ChangeBehindTheCache(string subjectId, string planKey) => SetPlanAsync(subjectId, planKey, Instant.MinValue, default);

    public override Task SetPlanAsync(string subjectId, string planKey, Instant now, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.SetPlanAsync(subjectId, planKey, now, cancellationToken));

    public override Task SetTimeZoneAsync(string subjectId, DateTimeZone? timeZone, Instant now, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.SetTimeZoneAsync(subjectId, timeZone, now, cancellationToken));

    public override Task SetBillingAnchorAsync(string subjectId, Instant? anchor, Instant now, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.SetBillingAnchorAsync(subjectId, anchor, now, cancellationToken));

    public override Task SetOverrideAsync(string subjectId, string featureKey, FeatureLimit limit, Instant now, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.SetOverrideAsync(subjectId, featureKey, limit, now, cancellationToken));

    public override Task RemoveOverrideAsync(string subjectId, string featureKey, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.RemoveOverrideAsync(subjectId, featureKey, cancellationToken));

    public override Task AddGrantAsync(string subjectId, UsageGrant grant, Instant now, CancellationToken cancellationToken) =>
        Changing(subjectId, _inner.AddGrantAsync(subjectId, grant, now, cancellationToken));

    private async Task Changing(string subjectId, Task change)
    {
        await change;
        lock (_versions)
        {
            _versions[subjectId] = ++_lastVersion;
        }
    }
}
