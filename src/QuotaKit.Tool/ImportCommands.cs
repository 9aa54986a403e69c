using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.PostgreSql;

namespace QuotaKit.Tool;

/// <summary>
/// <c>quotakit import wide|counters|events|plans</c>: one subcommand per source shape, a dry run unless <c>--apply</c>.
/// Column maps are <c>--map source=feature</c>, repeated.
/// </summary>
internal static class ImportCommands
{
    private static readonly Option<string> Table = new("--table") { Description = "Source table, e.g. public.feature_usage", Required = true, Recursive = true };
    private static readonly Option<string> SubjectColumn = new("--subject-column") { Description = "User id column", DefaultValueFactory = _ => "user_id", Recursive = true };
    private static readonly Option<string[]> Map = new("--map") { Description = "source=feature (repeat)", AllowMultipleArgumentsPerToken = true, Recursive = true };
    private static readonly Option<string?> KnownUsers = new("--known-users") { Description = "table.column of known users, e.g. public.users.id", Recursive = true };
    private static readonly Option<bool> Apply = new("--apply") { Description = "Write the counters (default: dry run)", Recursive = true };
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "Counters per transaction", DefaultValueFactory = _ => 1000, Recursive = true };

    public static Command Build(TextWriter output, TextWriter error)
    {
        var import = new Command("import", "Import usage from hand-written quota tables (dry run unless --apply)");
        import.Options.Add(Table);
        import.Options.Add(SubjectColumn);
        import.Options.Add(Map);
        import.Options.Add(KnownUsers);
        import.Options.Add(Apply);
        import.Options.Add(BatchSize);

        var period = new Option<string>("--period-column") { Description = "Text period column ('YYYY-MM' or 'YYYY-MM-DD')", DefaultValueFactory = _ => "period" };
        var zone = new Option<string?>("--zone-column") { Description = "Optional IANA time zone column" };
        var wide = new Command("wide", "A table with one column per feature and a text period") { period, zone };
        wide.SetAction((parse, ct) => RunAsync(parse, output, error, map =>
            new WideTableSource(parse.GetRequiredValue(Table), parse.GetRequiredValue(SubjectColumn), parse.GetRequiredValue(period), map, parse.GetValue(zone)), mapRequired: true, ct));

        var feature = new Option<string>("--feature-column") { Description = "Column naming the feature", DefaultValueFactory = _ => "feature" };
        var start = new Option<string>("--start-column") { Description = "Period start", DefaultValueFactory = _ => "period_start" };
        var end = new Option<string>("--end-column") { Description = "Period end (exclusive)", DefaultValueFactory = _ => "period_end" };
        var count = new Option<string>("--count-column") { Description = "Usage count", DefaultValueFactory = _ => "count" };
        var counters = new Command("counters", "A table of [start, end) counters, one row per user and feature") { feature, start, end, count };
        counters.SetAction((parse, ct) => RunAsync(parse, output, error, map => new CounterTableSource(
            parse.GetRequiredValue(Table), parse.GetRequiredValue(SubjectColumn), parse.GetRequiredValue(feature), parse.GetRequiredValue(start),
            parse.GetRequiredValue(end), parse.GetRequiredValue(count), map), mapRequired: true, ct));

        var time = new Option<string>("--time-column") { Description = "When each event happened", DefaultValueFactory = _ => "created_at" };
        var amount = new Option<string?>("--amount-column") { Description = "Optional amount per event (default 1)" };
        var featureKey = new Option<string>("--feature") { Description = "The feature every row counts for", Required = true };
        var events = new Command("events", "A per-event log table, one row per use") { time, amount, featureKey };
        events.SetAction((parse, ct) => RunAsync(parse, output, error, _ => new EventLogSource(
            parse.GetRequiredValue(Table), parse.GetRequiredValue(SubjectColumn), parse.GetRequiredValue(time), parse.GetRequiredValue(featureKey),
            parse.GetValue(amount)), mapRequired: false, ct));

        var reset = new Option<string>("--reset-column") { Description = "Next monthly reset date", DefaultValueFactory = _ => "usage_reset_date" };
        var noAnchor = new Option<bool>("--no-anchor") { Description = "Do not set missing billing anchors from the reset date" };
        var plans = new Command("plans", "A plans table with per-user counters and a monthly reset date") { reset, noAnchor };
        plans.SetAction((parse, ct) => RunAsync(parse, output, error, map => new PlansTableSource(
            parse.GetRequiredValue(Table), parse.GetRequiredValue(SubjectColumn), parse.GetRequiredValue(reset), map, !parse.GetValue(noAnchor)), mapRequired: true, ct));

        import.Subcommands.Add(wide);
        import.Subcommands.Add(counters);
        import.Subcommands.Add(events);
        import.Subcommands.Add(plans);
        return import;
    }

    private static Task<int> RunAsync(
        ParseResult parse, TextWriter output, TextWriter error, Func<IReadOnlyDictionary<string, string>, ImportSource> source,
        bool mapRequired, CancellationToken cancellationToken) =>
        QuotaKitCli.RunWithQuotaKitAsync(parse, error, async services =>
        {
            var map = ParseMap(parse.GetValue(Map) ?? []);
            if (mapRequired && map.Count == 0)
            {
                throw new ArgumentException("--map is required: say which source column or name is which feature, e.g. --map images_generated=images.");
            }

            var options = new ImportOptions
            {
                Apply = parse.GetValue(Apply),
                BatchSize = parse.GetValue(BatchSize),
                KnownSubjects = ParseKnownUsers(parse.GetValue(KnownUsers)),
                Progress = new SynchronousProgress(p => error.WriteLine(p.CountersToWrite == 0
                    ? $"read {p.RowsRead} row(s)"
                    : $"wrote {p.CountersWritten} of {p.CountersToWrite} counter(s)")),
            };
            var report = await services.GetRequiredService<IQuotaKitImporter>().ImportAsync(source(map), options, cancellationToken).ConfigureAwait(false);
            Write(output, report);
            return report.Skipped.Count > 0 || report.Conflicts.Count > 0 ? ExitCodes.FoundProblems : ExitCodes.Success;
        });

    private static void Write(TextWriter output, ImportReport report)
    {
        output.WriteLine($"{(report.Applied ? "Imported" : "Dry run (nothing written; add --apply)")}: {report.Source}");
        output.WriteLine($"rows read: {report.RowsRead}");
        output.WriteLine($"counters to write: {report.CountersToWrite}");
        output.WriteLine($"counters written: {report.CountersWritten}");
        output.WriteLine($"already imported: {report.AlreadyImported}");
        output.WriteLine($"conflicts: {report.Conflicts.Count}");
        foreach (var c in report.Conflicts)
        {
            output.WriteLine($"  {c.SubjectId} / {c.FeatureKey} / {c.PeriodStart}: source {c.Imported}, QuotaKit {TextTable.Number(c.Stored)}");
        }

        output.WriteLine($"rows skipped: {report.Skipped.Count}");
        foreach (var s in report.Skipped)
        {
            output.WriteLine($"  row {s.Row} ({s.SubjectId ?? "no user"}): {s.Reason}");
        }
    }

    private static Dictionary<string, string> ParseMap(string[] pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || !map.TryAdd(parts[0], parts[1]))
            {
                throw new ArgumentException($"--map '{pair}' is not source=feature (each source once), e.g. --map images_generated=images.");
            }
        }

        return map;
    }

    private static (string Table, string Column)? ParseKnownUsers(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var dot = text.LastIndexOf('.');
        return dot > 0 && dot < text.Length - 1
            ? (text[..dot], text[(dot + 1)..])
            : throw new ArgumentException($"--known-users '{text}' is not table.column, e.g. public.users.id.");
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
