// QuotaKit console sample: a month of usage by four subjects, simulated with a fake clock on real PostgreSQL.
//
//   dotnet run --project samples/QuotaKit.Samples.Console                       (throwaway local PostgreSQL)
//   dotnet run --project samples/QuotaKit.Samples.Console -- "Host=...;..."     (an existing database)
//
// QUOTAKIT_CONNECTION_STRING works like the argument. Exit code 0 means every check in the sample held.
using Microsoft.Extensions.DependencyInjection;
using QuotaKit.PostgreSql;
using QuotaKit.Samples.Console;
using QuotaKit.Samples.Console.Scenarios;
using QuotaKit.Testing;

try
{
    Console.WriteLine("QuotaKit console sample: April 2025, simulated with a fake clock");
    await using var database = await SampleDatabase.OpenAsync(args);
    Console.WriteLine($"Database:   {database.Description}");

    var clock = new FakeClock(Month.Start);
    await using var services = SampleServices.Build(database.ConnectionString, clock);
    var pending = await services.GetRequiredService<IQuotaKitMigrator>().GetPendingMigrationsAsync();
    await services.ApplyQuotaKitMigrationsAsync();
    Console.WriteLine(pending.Count == 0
        ? "Migrations: none pending (schema 'quotakit' is up to date)"
        : $"Migrations: applied {string.Join(", ", pending)} (QuotaKit's shipped EF Core migrations, schema 'quotakit')");

    var sample = new SampleContext(services, clock, database.SubjectSuffix);
    try
    {
        await MonthScript.RunAsync(sample);
        await Report.PrintAsync(sample, services.GetRequiredService<AlertLog>());
    }
    finally
    {
        await database.CleanUpAsync(sample.Subjects.Select(s => s.Id));
    }

    Console.WriteLine();
    Console.WriteLine("Sample finished: every check held.");
    return 0;
}
catch (Exception exception)
{
    Console.Out.Flush();
    Console.Error.WriteLine();
    Console.Error.WriteLine($"Sample failed: {exception.GetType().Name}: {exception.Message}");
    Console.Error.WriteLine(exception.StackTrace);
    return 1;
}
