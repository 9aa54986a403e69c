using System.Collections.Concurrent;
using NodaTime;

namespace QuotaKit;

/// <summary>
/// The default <see cref="ISubjectContextResolver"/>: reads subjects from the <see cref="SubjectStore"/> and caches them
/// for <see cref="QuotaKitOptions.SubjectCacheDuration"/>. Unknown subjects are cached as the default context too.
/// Changes made through <see cref="IQuotaAdministration"/> in this process evict the entry at once; other processes see
/// them when their entry expires.
/// </summary>
internal sealed class SubjectCache : ISubjectContextResolver
{
    private const int MaxCachedSubjects = 100_000;

    private readonly Lazy<SubjectStore> _store;
    private readonly Duration _cacheDuration;
    private readonly ConcurrentDictionary<string, (SubjectContext Context, Instant Expires)> _cache = new(StringComparer.Ordinal);

    // The store is resolved on first use: a host with its own resolver never needs one.
    public SubjectCache(Func<SubjectStore> store, QuotaKitRuntime runtime)
    {
        _store = new Lazy<SubjectStore>(store);
        _cacheDuration = runtime.Options.SubjectCacheDuration;
    }

    public async ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken)
    {
        // The cache ages by real time, not the (possibly simulated) usage clock.
        var now = SystemClock.Instance.GetCurrentInstant();
        if (_cache.TryGetValue(subjectId, out var entry) && entry.Expires > now)
        {
            return entry.Context;
        }

        var context = await _store.Value.ReadAsync(subjectId, cancellationToken).ConfigureAwait(false);
        if (_cacheDuration > Duration.Zero)
        {
            if (_cache.Count >= MaxCachedSubjects)
            {
                _cache.Clear();
            }

            _cache[subjectId] = (context, now + _cacheDuration);
        }

        return context;
    }

    public void Invalidate(string subjectId) => _cache.TryRemove(subjectId, out _);
}
