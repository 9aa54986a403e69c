namespace QuotaKit;

/// <summary>
/// Carries "this subject changed" to every subject cache in this process, so that a change made by another process
/// (another instance of the app, a SQL console) is seen in milliseconds instead of when a cache entry expires.
/// </summary>
/// <remarks>
/// <para>
/// A store that can push changes drives it: the PostgreSQL store listens with <c>LISTEN</c>/<c>NOTIFY</c> and calls
/// <see cref="Connect"/> once it listens, <see cref="Publish"/> for each change, and <see cref="Disconnect"/> when the
/// listening connection is lost. While connected, QuotaKit caches subjects for
/// <see cref="QuotaKitOptions.PushedSubjectCacheDuration"/>; otherwise for <see cref="QuotaKitOptions.SubjectCacheDuration"/>.
/// </para>
/// <para>
/// A host with its own <see cref="ISubjectContextResolver"/> that caches subjects subscribes to <see cref="SubjectChanged"/>
/// and evicts what it names. Registered as a singleton by <c>AddQuotaKit</c>.
/// </para>
/// </remarks>
public sealed class SubjectChangeFeed
{
    private volatile bool _isConnected;

    /// <summary>
    /// Raised for every change published in this process. <see cref="SubjectChangedEventArgs.SubjectId"/> is <c>null</c>
    /// when any subject may have changed (the feed reconnected after a gap in which changes could have been missed).
    /// Handlers run on the publisher's thread and must be quick and must not throw.
    /// </summary>
    public event EventHandler<SubjectChangedEventArgs>? SubjectChanged;

    /// <summary>Whether changes made by other processes are being pushed to this one now.</summary>
    public bool IsConnected => _isConnected;

    /// <summary>Reports that <paramref name="subjectId"/>'s plan, zone, anchor, overrides or grants changed.</summary>
    public void Publish(string subjectId)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        SubjectChanged?.Invoke(this, new SubjectChangedEventArgs(subjectId));
    }

    /// <summary>
    /// Reports that changes are pushed from now on. Anything cached before may have changed unseen, so every subject is
    /// reported changed first.
    /// </summary>
    public void Connect()
    {
        SubjectChanged?.Invoke(this, new SubjectChangedEventArgs(null));
        _isConnected = true;
    }

    /// <summary>Reports that changes are no longer pushed (for example, the listening connection broke).</summary>
    public void Disconnect() => _isConnected = false;
}
