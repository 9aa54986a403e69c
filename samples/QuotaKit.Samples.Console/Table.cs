namespace QuotaKit.Samples.Console;

/// <summary>Prints a table with '|' between columns (easy to read, easy to parse); whole numbers are right-aligned.</summary>
internal static class Table
{
    public static void Print(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        System.Console.WriteLine(Line(headers, widths));
        System.Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            System.Console.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => long.TryParse(c, out _) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))) + " |";
}
