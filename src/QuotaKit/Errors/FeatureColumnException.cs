namespace QuotaKit;

/// <summary>
/// Thrown at validation when report column names (<see cref="FeatureDefinition.Column"/>) are invalid: not an identifier,
/// a reserved word, or colliding. <see cref="Problems"/> lists each one; nothing is created in the database.
/// </summary>
public sealed class FeatureColumnException : QuotaKitException
{
    /// <summary>Creates the exception from the problems found.</summary>
    public FeatureColumnException(IReadOnlyList<FeatureColumnProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<FeatureColumnProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<FeatureColumnProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count == 1
            ? $"Invalid QuotaKit report column: {problems[0].Message}"
            : $"Invalid QuotaKit report columns ({problems.Count} problems):{Environment.NewLine}- " +
              string.Join(Environment.NewLine + "- ", problems.Select(p => p.Message));
    }
}
