using System.Globalization;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>
/// Many subjects with small limits (so calls are denied) and one hot unlimited counter, for QUOTAKIT_SOAK_SECONDS
/// (default 5, so the default run stays short). Long run: <c>QUOTAKIT_SOAK_SECONDS=60 dotnet test QuotaKit.sln --filter Category=Soak</c>.
/// </summary>
[Trait("Category", "Soak")]
public class SoakTests : IClassFixture<MigratedDatabase>
{
    public const string DurationVariable = "QUOTAKIT_SOAK_SECONDS";
    private readonly MigratedDatabase _database;
    private readonly ITestOutputHelper _output;

    public SoakTests(MigratedDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    [Fact]
    public async Task Soak_keeps_every_counter_consistent()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable(DurationVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 5;
        var settings = new LoadRunSettings
        {
            Workers = 16,
            MaxCallsPerWorker = 1_000_000,
            MaxDuration = TimeSpan.FromSeconds(seconds),
            KeyedSubjects = 200,
            KeylessSubjects = 50,
            Limit = 5, // reached within the first second even on a busy 2-core machine (about 12 calls per subject in 5 s)
        };
        await using var host = await LoadRunHost.CreateAsync(_database.ConnectionString, settings);
        var run = new LoadRun(host.Tracker, settings);

        await run.RunAsync();
        await run.SettleAsync();

        var summary = await LoadRunLedger.VerifyAsync(_database.ConnectionString, run);
        _output.WriteLine($"soak {seconds} s: {summary}");
        run.Allowed.Should().BePositive();
        run.Denied.Should().BePositive("the small limits must be reached");
        // No fault is injected, but on a busy 2-core machine the shared server may refuse a connection now and then
        // (too many connections); such errors must be typed (checked by the ledger) and lose nothing.
    }
}
