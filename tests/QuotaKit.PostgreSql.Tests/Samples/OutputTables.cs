namespace QuotaKit.PostgreSql.Tests.Samples;

/// <summary>Reads the '|'-separated tables the console sample prints: a header line, a '|---' line, then rows.</summary>
internal sealed class OutputTables
{
    private readonly string[] _headers;

    private OutputTables(string[] headers, List<IReadOnlyDictionary<string, string>> rows)
    {
        _headers = headers;
        Rows = rows;
    }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    public bool Has(string header) => _headers.Contains(header, StringComparer.Ordinal);

    public static List<OutputTables> Parse(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var tables = new List<OutputTables>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("| ", StringComparison.Ordinal) || !lines[i + 1].StartsWith("|-", StringComparison.Ordinal))
            {
                continue;
            }

            var headers = Cells(lines[i]);
            var rows = new List<IReadOnlyDictionary<string, string>>();
            for (i += 2; i < lines.Length && lines[i].StartsWith("| ", StringComparison.Ordinal); i++)
            {
                var cells = Cells(lines[i]);
                rows.Add(headers.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
            }

            tables.Add(new OutputTables(headers, rows));
        }

        return tables;
    }

    private static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
