using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using QuotaKit.PostgreSql;

namespace QuotaKit.Tool;

/// <summary>The <c>quotakit</c> command line: migrate, import, recount, near-limit, usage.</summary>
internal static class QuotaKitCli
{
    private static readonly Option<string?> Connection = new("--connection", "-c")
    {
        Description = $"PostgreSQL connection string (default: ${ToolContext.ConnectionVariable}, then ConnectionStrings:Quotas in the configuration file)",
        Recursive = true,
    };

    private static readonly Option<string?> Config = new("--config")
    {
        Description = "appsettings.json with the \"QuotaKit\" section (default: ./appsettings.json when present)",
        Recursive = true,
    };

    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log QuotaKit's information messages to stderr", Recursive = true };

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, Console.In, cancellationToken);

    /// <summary>As above, with <paramref name="input"/> as standard input (for <c>quotakit record -</c>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader input, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("quotakit: maintain QuotaKit's usage data in PostgreSQL");
        root.Options.Add(Connection);
        root.Options.Add(Config);
        root.Options.Add(Verbose);
        root.Subcommands.Add(Migrate(output, error));
        root.Subcommands.Add(NearLimit(output, error));
        root.Subcommands.Add(Recount(output, error));
        root.Subcommands.Add(Usage(output, error));
        root.Subcommands.Add(ImportCommands.Build(output, error));
        root.Subcommands.Add(RecordCommand.Build(output, error, input));
        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds QuotaKit from the parse result and runs <paramref name="body"/>, turning failures into exit codes.</summary>
    public static async Task<int> RunWithQuotaKitAsync(
        ParseResult parse, TextWriter error, Func<IServiceProvider, Task<int>> body)
    {
        try
        {
            await using var services = ToolContext.Build(parse.GetValue(Connection), parse.GetValue(Config), parse.GetValue(Verbose));
            return await body(services).ConfigureAwait(false);
        }
        catch (QuotaStoreUnavailableException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return ExitCodes.DatabaseUnavailable;
        }
        catch (Exception exception) when (exception is QuotaKitException or ArgumentException or FormatException or Npgsql.PostgresException)
        {
            await error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    private static Command Migrate(TextWriter output, TextWriter error)
    {
        var command = new Command("migrate", "Apply QuotaKit's migrations and create the report views from the configuration");
        command.SetAction((parse, ct) => RunWithQuotaKitAsync(parse, error, async services =>
        {
            await services.ApplyQuotaKitMigrationsAsync(ct).ConfigureAwait(false);
            var version = await services.GetRequiredService<IQuotaKitMigrator>().GetSchemaVersionAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync($"QuotaKit schema version {version}; report views created.").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command NearLimit(TextWriter output, TextWriter error)
    {
        var feature = new Argument<string>("feature") { Description = "The feature key" };
        var percent = new Option<decimal>("--percent", "-p") { Description = "Threshold in percent of the limit", DefaultValueFactory = _ => 80m };
        var page = new Option<int>("--page") { Description = "1-based page", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "Rows per page", DefaultValueFactory = _ => 50 };
        var command = new Command("near-limit", "Subjects at or above a percentage of their limit in the current period") { feature, percent, page, pageSize };
        command.SetAction((parse, ct) => RunWithQuotaKitAsync(parse, error, async services =>
        {
            var result = await services.GetRequiredService<IQuotaKitReports>().GetNearLimitAsync(
                parse.GetRequiredValue(feature), parse.GetValue(percent), parse.GetValue(page), parse.GetValue(pageSize), ct).ConfigureAwait(false);
            TextTable.Write(output, ["subject", "used", "limit", "percent", "period"], result.Entries.Select(e => (IReadOnlyList<string>)
                [e.SubjectId, TextTable.Number(e.Used), TextTable.Number(e.Limit), e.Percent.ToString("0.00", CultureInfo.InvariantCulture),
                 $"[{e.PeriodStart}, {e.PeriodEnd})"]));
            await output.WriteLineAsync(result.HasMore ? $"more: --page {result.Page + 1}" : $"{result.Entries.Count} row(s)").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Recount(TextWriter output, TextWriter error)
    {
        var subject = new Option<string?>("--subject") { Description = "Only this subject" };
        var feature = new Option<string?>("--feature") { Description = "Only this feature" };
        var from = new Option<string?>("--from") { Description = "Only periods ending after this instant (e.g. 2025-06-01T00:00:00Z)" };
        var until = new Option<string?>("--until") { Description = "Only periods starting before this instant" };
        var repair = new Option<bool>("--repair") { Description = "Set each counter that differs to the ledger's value (under the counter's row lock)" };
        var command = new Command("recount", "Recompute counters from the usage_events ledger and report (or repair) discrepancies")
        {
            subject, feature, from, until, repair,
        };
        command.SetAction((parse, ct) => RunWithQuotaKitAsync(parse, error, async services =>
        {
            var scope = new RecountScope
            {
                SubjectId = parse.GetValue(subject),
                FeatureKey = parse.GetValue(feature),
                PeriodsFrom = ParseInstant(parse.GetValue(from), "--from"),
                PeriodsUntil = ParseInstant(parse.GetValue(until), "--until"),
            };
            var progress = new Progress<long>(n => error.WriteLine($"checked {n} counter(s)"));
            var report = await services.GetRequiredService<IUsageRecounter>().RecountAsync(
                scope, new RecountOptions { Repair = parse.GetValue(repair), Progress = progress, ProgressInterval = 10_000 }, ct).ConfigureAwait(false);
            TextTable.Write(output, ["subject", "feature", "period start", "stored", "expected", "repaired to"], report.Discrepancies.Select(d =>
                (IReadOnlyList<string>)[d.SubjectId, d.FeatureKey, d.PeriodStart.ToString(), TextTable.Number(d.Stored), TextTable.Number(d.Expected),
                    TextTable.Number(d.RepairedTo)]));
            await output.WriteLineAsync(
                $"{report.CountersChecked} counter(s) checked, {report.Discrepancies.Count} discrepancy(ies), {report.Repaired} repaired, " +
                $"{report.CountersWithoutEvents} without events (not checked)").ConfigureAwait(false);
            return report.Discrepancies.Count > report.Repaired ? ExitCodes.FoundProblems : ExitCodes.Success;
        }));
        return command;
    }

    private static Command Usage(TextWriter output, TextWriter error)
    {
        var subject = new Argument<string>("subject") { Description = "The subject id" };
        var command = new Command("usage", "A subject's usage of every feature in its current period") { subject };
        command.SetAction((parse, ct) => RunWithQuotaKitAsync(parse, error, async services =>
        {
            var usage = await services.GetRequiredService<IUsageTracker>().GetUsageAsync(parse.GetRequiredValue(subject), cancellationToken: ct).ConfigureAwait(false);
            TextTable.Write(output, ["feature", "used", "limit", "remaining", "period"], usage.Select(u => (IReadOnlyList<string>)
                [u.FeatureKey, TextTable.Number(u.Used), u.Limit.ToString(), TextTable.Number(u.Remaining), $"[{u.Period.Start}, {u.Period.End})"]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Instant? ParseInstant(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var result = InstantPattern.ExtendedIso.Parse(text);
        return result.Success ? result.Value : throw new ArgumentException($"{option} '{text}' is not an instant such as 2025-06-01T00:00:00Z.");
    }
}
