namespace QuotaKit.Samples.Console;

/// <summary>The sample checks what it shows; a failed check ends it with a non-zero exit code.</summary>
internal static class Check
{
    public static void That(bool condition, string whatWentWrong)
    {
        if (!condition)
        {
            throw new SampleCheckFailedException(whatWentWrong);
        }
    }
}

/// <summary>Something the sample demonstrates did not hold.</summary>
internal sealed class SampleCheckFailedException(string message) : Exception(message);
