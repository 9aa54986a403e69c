namespace QuotaKit;

/// <summary>What is wrong with a feature's report column name.</summary>
public enum FeatureColumnProblemKind
{
    /// <summary>Not a plain lower-case SQL identifier, or too long.</summary>
    InvalidIdentifier,

    /// <summary>A reserved SQL key word.</summary>
    ReservedWord,

    /// <summary>The name, or one of its suffixed names, is already used by another feature or a fixed column.</summary>
    Collision,
}

/// <summary>One problem with a feature's report column name.</summary>
/// <param name="FeatureKey">The feature whose column is wrong.</param>
/// <param name="ColumnName">The column name it declared.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">One sentence naming the problem and what to do.</param>
public sealed record FeatureColumnProblem(string FeatureKey, string ColumnName, FeatureColumnProblemKind Kind, string Message);
