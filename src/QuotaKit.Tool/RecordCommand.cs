using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace QuotaKit.Tool;

/// <summary>
/// <c>quotakit record [FILE]</c>: records usage in batches through <see cref="IUsageMeter.RecordAsync"/> (one round trip
/// and one transaction per 1,000 records), from a CSV file with a header (<c>subject,feature,amount</c>, optional
/// <c>occurred_at</c> and <c>idempotency_key</c>) or JSON lines (<c>{"subject":..,"feature":..,"amount":..,
/// "occurredAt":..,"idempotencyKey":..}</c>), or standard input. Every line is parsed before anything is written.
/// </summary>
internal static class RecordCommand
{
    private const int CallSize = 10_000;
    private static readonly string[] RequiredColumns = ["subject", "feature", "amount"];

    public static Command Build(TextWriter output, TextWriter error, TextReader input)
    {
        var file = new Argument<string>("file") { Description = "CSV or JSON-lines file; - for standard input", DefaultValueFactory = _ => "-" };
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file's extension; csv for standard input)" };
        var command = new Command("record", "Record usage in batches (increments), from a CSV or JSON-lines file") { file, format };
        command.SetAction((parse, ct) => QuotaKitCli.RunWithQuotaKitAsync(parse, error, async services =>
        {
            var path = parse.GetRequiredValue(file);
            var records = await ReadAsync(path, parse.GetValue(format), input, ct).ConfigureAwait(false);
            var meter = services.GetRequiredService<IUsageMeter>();
            int recorded = 0, refused = 0, failed = 0;
            for (var offset = 0; offset < records.Count; offset += CallSize)
            {
                var chunk = records.Skip(offset).Take(CallSize).ToList();
                foreach (var result in await meter.RecordAsync(chunk, ct).ConfigureAwait(false))
                {
                    if (result.Decision is { Allowed: true })
                    {
                        recorded++;
                    }
                    else if (result.Decision is { } refusedDecision)
                    {
                        refused++;
                        await error.WriteLineAsync($"record {offset + result.Index + 1}: {refusedDecision.Outcome} ({result.Record.SubjectId}, {result.Record.FeatureKey})").ConfigureAwait(false);
                    }
                    else
                    {
                        failed++;
                        await error.WriteLineAsync($"record {offset + result.Index + 1}: {result.Error!.Message}").ConfigureAwait(false);
                    }
                }
            }

            await output.WriteLineAsync($"{recorded} recorded, {refused} refused, {failed} failed, of {records.Count}").ConfigureAwait(false);
            return refused + failed == 0 ? ExitCodes.Success : ExitCodes.FoundProblems;
        }));
        return command;
    }

    private static async Task<List<UsageRecord>> ReadAsync(string path, string? format, TextReader input, CancellationToken cancellationToken)
    {
        var jsonLines = (format ?? (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) ? "jsonl" : "csv")) switch
        {
            "csv" => false,
            "jsonl" => true,
            var other => throw new ArgumentException($"--format must be csv or jsonl, not '{other}'."),
        };
        using var reader = path == "-" ? null : new StreamReader(path);
        var source = reader ?? input;
        var records = new List<UsageRecord>();
        string[]? header = null;
        var lineNumber = 0;
        while (await source.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                if (jsonLines)
                {
                    records.Add(FromJson(line));
                }
                else if (header is null)
                {
                    header = line.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
                    RequireColumns(header);
                }
                else
                {
                    records.Add(FromCsv(header, line.Split(',')));
                }
            }
            catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or OverflowException or UnparsableValueException)
            {
                throw new FormatException($"line {lineNumber}: {exception.Message} Nothing was recorded.", exception);
            }
        }

        return records;
    }

    private static void RequireColumns(string[] header)
    {
        var missing = RequiredColumns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"the CSV header lacks {string.Join(", ", missing)}; it needs subject,feature,amount (and optionally occurred_at, idempotency_key).");
        }
    }

    private static UsageRecord FromCsv(string[] header, string[] cells)
    {
        string? Cell(string name) => Array.IndexOf(header, name) is var i and >= 0 && i < cells.Length && cells[i].Trim() is { Length: > 0 } value ? value : null;
        return Create(
            Cell("subject") ?? throw new FormatException("the subject is empty."),
            Cell("feature") ?? throw new FormatException("the feature is empty."),
            long.Parse(Cell("amount") ?? throw new FormatException("the amount is empty."), NumberStyles.Integer, CultureInfo.InvariantCulture),
            Cell("occurred_at"),
            Cell("idempotency_key"));
    }

    private static UsageRecord FromJson(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;
        return Create(
            Text("subject") ?? throw new FormatException("\"subject\" is missing."),
            Text("feature") ?? throw new FormatException("\"feature\" is missing."),
            root.TryGetProperty("amount", out var amount) ? amount.GetInt64() : 1,
            Text("occurredAt"),
            Text("idempotencyKey"));
    }

    private static UsageRecord Create(string subject, string feature, long amount, string? occurredAt, string? idempotencyKey)
    {
        UsageOptions? options = occurredAt is null && idempotencyKey is null
            ? null
            : new UsageOptions { At = occurredAt is null ? null : InstantPattern.ExtendedIso.Parse(occurredAt).GetValueOrThrow(), IdempotencyKey = idempotencyKey };
        return new UsageRecord(subject, feature, amount, options);
    }
}
