namespace QuotaKit.AspNetCore;

/// <summary>The request cannot be gated as it is (e.g. its amount is missing or not a number); answered with a 400 problem.</summary>
public sealed class QuotaRequestException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> becomes the problem's detail, so name what to fix.</summary>
    public QuotaRequestException(string message)
        : base(message)
    {
    }
}
