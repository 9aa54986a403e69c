namespace QuotaKit;

/// <summary>
/// Thrown when the usage store could not be reached or failed while a call was in flight: the connection was refused or
/// broken, the server restarted or terminated the session, a timeout expired, or the server refused the statement.
/// The storage provider's own exception is the <see cref="Exception.InnerException"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="OutcomeUnknown"/> says whether the write may have been applied. It is <see langword="false"/> when QuotaKit
/// knows nothing was written (the failure happened before the write was sent, the call was a read, or the server rejected
/// the statement and rolled it back); it is <see langword="true"/> when the connection broke after the write was sent: the
/// write then either committed completely or not at all, but the answer never arrived.
/// </para>
/// <para>
/// Retrying a write with the same idempotency key (<see cref="UsageOptions.IdempotencyKey"/>) is always safe: if the
/// first attempt committed, the retry returns its decision (<see cref="UsageDecision.IsReplay"/>) and applies nothing;
/// otherwise the retry applies the call once. Without a key, a retry after an unknown outcome may count twice.
/// </para>
/// </remarks>
public sealed class QuotaStoreUnavailableException : QuotaKitException
{
    /// <summary>Creates the exception for a failed store call.</summary>
    /// <param name="operation">What QuotaKit was doing, e.g. "consume 1 of 'images' for subject 'u1'".</param>
    /// <param name="outcomeUnknown">Whether the write may have committed.</param>
    /// <param name="isTransient">Whether trying again later may succeed (a connection or server outage, a timeout).</param>
    /// <param name="innerException">The storage provider's exception.</param>
    public QuotaStoreUnavailableException(string operation, bool outcomeUnknown, bool isTransient, Exception innerException)
        : base(Describe(operation, outcomeUnknown, innerException), innerException)
    {
        OutcomeUnknown = outcomeUnknown;
        IsTransient = isTransient;
    }

    /// <summary>
    /// <see langword="true"/> when the write may have committed (the answer was lost with the connection);
    /// <see langword="false"/> when nothing was written. Reads always say <see langword="false"/>.
    /// </summary>
    public bool OutcomeUnknown { get; }

    /// <summary>
    /// <see langword="true"/> when the failure is an outage that a later attempt may not meet (a broken connection, a
    /// restarting server, a timeout, a deadlock); <see langword="false"/> for failures that need a fix, such as a missing
    /// schema or a missing privilege.
    /// </summary>
    public bool IsTransient { get; }

    private static string Describe(string operation, bool outcomeUnknown, Exception inner) =>
        $"QuotaKit's store failed during {operation}: {Sentence(inner.Message)} " +
        (outcomeUnknown
            ? "The write may or may not have been applied. Retry with the same idempotency key to find out safely; without a key, a retry may count twice."
            : "Nothing was written. Retry when the store is reachable again.");

    /// <summary>The provider's message as a sentence: trimmed, ending with a full stop.</summary>
    private static string Sentence(string message)
    {
        var text = message.Trim();
        return text.Length == 0 || text[^1] is '.' or '!' or '?' ? text : text + ".";
    }
}
