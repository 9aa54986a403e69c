using System.Text.RegularExpressions;

namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// One deliberate bug in <c>quotakit.record_usage</c>: <see cref="Find"/> replaced by <see cref="Replace"/>. Any run of
/// whitespace in <see cref="Find"/> matches any run of whitespace in the function, so re-indenting the SQL does not
/// break a mutant; but the text must occur exactly once, or <see cref="Apply"/> fails loudly instead of testing nothing.
/// </summary>
/// <param name="Name">What the bug is, as a reviewer would say it.</param>
/// <param name="Find">The original SQL text.</param>
/// <param name="Replace">The mutated SQL text.</param>
/// <param name="File">The frozen file of the function it mutates: version 2's decision, or version 3's subject check.</param>
public sealed record SqlMutant(string Name, string Find, string Replace, string File = "record_usage.v8.sql")
{
    public string Apply(string function)
    {
        var pattern = string.Join(@"\s+", Find.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape));
        var matches = Regex.Matches(function, pattern);
        if (matches.Count != 1)
        {
            throw new InvalidOperationException(
                $"SQL mutant '{Name}': expected its text exactly once in quotakit.record_usage, found it {matches.Count} times. "
                + $"Update the mutant to the function's current text. Text: {Find}");
        }

        return function[..matches[0].Index] + Replace + function[(matches[0].Index + matches[0].Length)..];
    }

    public override string ToString() => Name;
}
