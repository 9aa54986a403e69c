namespace QuotaKit;

/// <summary>Thrown when a subject id is null, empty, whitespace, too long, or contains a NUL character.</summary>
public sealed class InvalidSubjectException : QuotaKitException
{
    /// <summary>Creates the exception with the reason.</summary>
    public InvalidSubjectException(string reason)
        : base($"Invalid subject id: {reason}")
    {
    }
}
