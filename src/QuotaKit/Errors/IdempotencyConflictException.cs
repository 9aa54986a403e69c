namespace QuotaKit;

/// <summary>
/// Thrown when an idempotency key is reused for a different call (another feature, amount or operation) by the same
/// subject. A true retry repeats the same call and gets the first call's decision instead.
/// </summary>
public sealed class IdempotencyConflictException : QuotaKitException
{
    /// <summary>Creates the exception for the key and what differed.</summary>
    public IdempotencyConflictException(string subjectId, string idempotencyKey, string difference)
        : base($"Idempotency key '{idempotencyKey}' of subject '{subjectId}' was first used for a different call ({difference}). " +
               "Nothing was applied. A retry must repeat the first call exactly; give a new call a new key.")
    {
        SubjectId = subjectId;
        IdempotencyKey = idempotencyKey;
    }

    /// <summary>The subject.</summary>
    public string SubjectId { get; }

    /// <summary>The reused key.</summary>
    public string IdempotencyKey { get; }
}
