namespace QuotaKit;

/// <summary>Names the subject a <see cref="SubjectChangeFeed"/> reports changed.</summary>
/// <param name="subjectId">The subject; <c>null</c> for "any subject".</param>
public sealed class SubjectChangedEventArgs(string? subjectId) : EventArgs
{
    /// <summary>The subject that changed; <c>null</c> when any subject may have changed.</summary>
    public string? SubjectId { get; } = subjectId;
}
