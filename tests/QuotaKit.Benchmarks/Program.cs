using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.Benchmarks;
using QuotaKit.Benchmarks.Batch;
using QuotaKit.Benchmarks.Http;
using QuotaKit.Benchmarks.Infrastructure;
using QuotaKit.Benchmarks.Load;
using QuotaKit.Benchmarks.Micro;
using QuotaKit.Benchmarks.Report;
using QuotaKit.Benchmarks.Subjects;
using QuotaKit.PostgreSql;

// QuotaKit benchmarks: see docs/benchmarks.md. Not a test project: `dotnet test` never runs this.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

await using var server = await BenchmarkServer.StartAsync(options);
var workload = new Workload(SystemClock.Instance.GetCurrentInstant());
await using (var migrations = workload.CreateQuotaKit(server.ConnectionString))
{
    await migrations.ApplyQuotaKitMigrationsAsync();
}

ServerSettings settings;
await using (var dataSource = NpgsqlDataSource.Create(server.ConnectionString))
{
    settings = await ServerSettings.ReadAsync(dataSource);
}

Console.WriteLine($"PostgreSQL: {settings.ToMarkdown()}");
if (options.RunSubjectsOnly)
{
    await using var subjects = new SubjectSuite(options, workload, server.ConnectionString);
    await subjects.RunAsync();
    Console.WriteLine();
    Console.WriteLine(subjects.ToMarkdown());
    return 0;
}

if (options.RunReservationsOnly)
{
    await using var reservations = new QuotaKit.Benchmarks.Reservations.ReservationSuite(options, workload, server.ConnectionString);
    await reservations.RunAsync();
    Console.WriteLine();
    Console.WriteLine(reservations.ToMarkdown());
    return 0;
}

if (options.RunCreditBlocksOnly)
{
    await using var blocks = new QuotaKit.Benchmarks.CreditBlocks.CreditBlockSuite(options, workload, server.ConnectionString);
    await blocks.RunAsync();
    Console.WriteLine();
    Console.WriteLine(blocks.ToMarkdown());
    return 0;
}

if (options.RunReportsOnly)
{
    var reports = new QuotaKit.Benchmarks.Reporting.ReportingSuite(options, server.ConnectionString);
    await reports.RunAsync();
    Console.WriteLine();
    Console.WriteLine(reports.ToMarkdown());
    return 0;
}

if (options.RunHttpOnly)
{
    var http = new HttpGateSuite(options, workload, server.ConnectionString);
    await http.RunAsync();
    Console.WriteLine();
    Console.WriteLine(http.ToMarkdown());
    return 0;
}

if (options.RunBatchOnly)
{
    await using var quotaKit = workload.CreateQuotaKit(server.ConnectionString);
    var batch = new BatchSuite(options, workload, quotaKit);
    await batch.RunAsync();
    await using var coalescing = new CoalescingSuite(options, workload, server.ConnectionString);
    await coalescing.RunAsync();
    Console.WriteLine();
    Console.WriteLine(BatchSuite.ToMarkdown(batch.Results));
    Console.WriteLine(coalescing.ToMarkdown());
    var overshot = coalescing.Overshoots.Where(o => o.Contender != CoalescingSuite.Raw && !Targets.IsExact(o)).ToList();
    if (overshot.Count > 0)
    {
        Console.Error.WriteLine($"FAILED: QuotaKit overshot or lost updates: {string.Join("; ", overshot)}");
        return 1;
    }

    return 0;
}

// The single-call part runs first, in a process no load round has touched: BenchmarkDotNet counts every allocation in
// the process, and background work left over from the load part (closing pools) would be counted against the call.
var micro = new List<MicroResult>();
if (options.RunMicro)
{
    MicroContext.ConnectionString = server.ConnectionString;
    MicroContext.Workload = workload;
    micro = MicroSuite.Run(options);
}

var load = new List<LoadResult>();
var overshoots = new List<OvershootResult>();
if (options.RunLoad)
{
    await using var suite = new LoadSuite(options, workload, server.ConnectionString);
    await suite.RunAsync();
    load = suite.Results;
    overshoots = suite.Overshoots;
}

Console.WriteLine();
Console.WriteLine(ReportWriter.Write(options, server.Origin, settings, load, overshoots, micro));
Console.WriteLine("Targets:");
foreach (var line in Targets.Check(load, overshoots, micro))
{
    Console.WriteLine("  " + line);
}

// Correctness is asserted, not just reported: QuotaKit must never grant past a hard limit nor lose an update.
var broken = overshoots.Where(o => o.Contender == "QuotaKit" && !Targets.IsExact(o)).ToList();
if (broken.Count > 0)
{
    Console.Error.WriteLine($"FAILED: QuotaKit overshot or lost updates: {string.Join("; ", broken)}");
    return 1;
}

return 0;
