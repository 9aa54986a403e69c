namespace QuotaKit;

/// <summary>Thrown when a subject id is null, empty, whitespace, too long, or contains a NUL character.</summary>
public sealed class InvalidSubjectException : QuotaKitException
{
    /// <summary>Creates the exception with the reason.</summary>
    public InvalidSubjectException(string reason)
        : base($"Invalid subject id: {reason} Pass the id of the user, organisation, tenant or API key the usage belongs to: " +
               "1 to 256 characters of valid Unicode, without NUL.")
    {
    }
}
