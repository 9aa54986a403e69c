using Microsoft.Extensions.Caching.Memory;
using NodaTime;

namespace QuotaKit;

/// <summary>
/// The default <see cref="ISubjectContextResolver"/>: reads subjects from the <see cref="SubjectStore"/> and keeps them
/// in a bounded <see cref="MemoryCache"/> (<see cref="QuotaKitOptions.SubjectCacheCapacity"/> subjects, least recently
/// used evicted first). Unknown subjects are cached as the default context too. An entry is evicted at once by a change
/// made through <see cref="IQuotaAdministration"/> in this process or published on the <see cref="SubjectChangeFeed"/>;
/// it lives <see cref="QuotaKitOptions.PushedSubjectCacheDuration"/> while the feed is connected, and no longer than
/// <see cref="QuotaKitOptions.SubjectCacheDuration"/> while it is not.
/// </summary>
internal sealed class SubjectCache : ISubjectContextResolver, IDisposable
{
    private readonly Lazy<SubjectStore> _store;
    private readonly SubjectChangeFeed _feed;
    private readonly QuotaKitMetrics _metrics;
    private readonly MemoryCache? _cache;
    private readonly TimeSpan _pushedLifetime;
    private readonly Duration _unpushedLifetime;
    private readonly PostEvictionCallbackRegistration _evicted;

    // The store is resolved on first use: a host with its own resolver never needs one.
    public SubjectCache(Func<SubjectStore> store, QuotaKitRuntime runtime, SubjectChangeFeed feed, QuotaKitMetrics metrics)
    {
        _store = new Lazy<SubjectStore>(store);
        _feed = feed;
        _metrics = metrics;
        var options = runtime.Options;
        _unpushedLifetime = options.SubjectCacheDuration;
        _pushedLifetime = options.PushedSubjectCacheDuration.ToTimeSpan();
        if (options.SubjectCacheCapacity > 0 && options.PushedSubjectCacheDuration > Duration.Zero)
        {
            // Each entry has size 1: the limit is a number of subjects. Compaction removes the least recently used 5 %.
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.SubjectCacheCapacity });
        }

        _evicted = new PostEvictionCallbackRegistration { EvictionCallback = OnEvicted };
        feed.SubjectChanged += OnSubjectChanged;
    }

    public async ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        if (TryGet(subjectId, out var cached))
        {
            return cached;
        }

        var context = await _store.Value.ReadAsync(subjectId, cancellationToken).ConfigureAwait(false);
        Set(subjectId, context);
        return context;
    }

    /// <summary>The cached context of <paramref name="subjectId"/>, when there is a fresh one; counts a hit or a miss.</summary>
    public bool TryGet(string subjectId, out SubjectContext context)
    {
        if (_cache is not null && _cache.TryGetValue(subjectId, out CachedSubject? entry) && entry is not null && IsFresh(entry))
        {
            _metrics.RecordSubjectCacheHit();
            context = entry.Context;
            return true;
        }

        _metrics.RecordSubjectCacheMiss();
        context = SubjectContext.Default;
        return false;
    }

    /// <summary>Caches <paramref name="context"/> as read from the store now.</summary>
    public void Set(string subjectId, SubjectContext context)
    {
        if (_cache is null)
        {
            return;
        }

        using var entry = _cache.CreateEntry(subjectId);
        entry.Value = new CachedSubject(context, Now());
        entry.Size = 1;
        entry.AbsoluteExpirationRelativeToNow = _pushedLifetime;
        entry.PostEvictionCallbacks.Add(_evicted);
    }

    public void Invalidate(string subjectId) => _cache?.Remove(subjectId);

    public void Dispose()
    {
        _feed.SubjectChanged -= OnSubjectChanged;
        _cache?.Dispose();
    }

    // The cache ages by real time, not the (possibly simulated) usage clock.
    private static Instant Now() => SystemClock.Instance.GetCurrentInstant();

    // While changes are pushed, an entry lives until it is evicted or its (long) expiry; otherwise it is trusted only as
    // long as an unpushed entry would be, also when it was cached while the feed was still connected.
    private bool IsFresh(CachedSubject entry) => _feed.IsConnected || Now() - entry.CachedAt < _unpushedLifetime;

    private void OnSubjectChanged(object? sender, SubjectChangedEventArgs change)
    {
        if (change.SubjectId is { } subjectId)
        {
            Invalidate(subjectId);
        }
        else
        {
            _cache?.Clear();
        }
    }

    private void OnEvicted(object key, object? value, EvictionReason reason, object? state)
    {
        if (reason is EvictionReason.Capacity or EvictionReason.Expired)
        {
            _metrics.RecordSubjectCacheEviction(reason == EvictionReason.Capacity ? "capacity" : "expired");
        }
    }

    private sealed record CachedSubject(SubjectContext Context, Instant CachedAt);
}
