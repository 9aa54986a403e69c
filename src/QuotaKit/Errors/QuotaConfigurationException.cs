namespace QuotaKit;

/// <summary>
/// Thrown when QuotaKit's configuration (features, plans, period policies, storage options) is invalid.
/// <see cref="Problems"/> lists every problem found, not only the first.
/// </summary>
public sealed class QuotaConfigurationException : QuotaKitException
{
    /// <summary>Creates the exception from the list of problems found.</summary>
    public QuotaConfigurationException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    public QuotaConfigurationException(string problem)
        : this(new[] { problem })
    {
    }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string FormatMessage(IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? $"Invalid QuotaKit configuration: {problems[0]}"
            : $"Invalid QuotaKit configuration ({problems.Count} problems):{Environment.NewLine}- " +
              string.Join(Environment.NewLine + "- ", problems);
}
