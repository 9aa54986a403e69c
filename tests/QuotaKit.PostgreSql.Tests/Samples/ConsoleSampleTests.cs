using System.Globalization;
using System.Text.RegularExpressions;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Samples;

/// <summary>
/// Runs the console sample (the README's first command) end to end against a fresh database of the test server and
/// checks what it prints: it succeeds, no hard limit is ever exceeded, and the burst allows exactly the limit.
/// </summary>
public partial class ConsoleSampleTests(FreshDatabase database) : IClassFixture<FreshDatabase>
{
    [Fact]
    public async Task The_console_sample_succeeds_never_exceeds_a_hard_limit_and_its_burst_allows_exactly_the_limit()
    {
        var run = await SampleProcess.RunAsync(database.ConnectionString, TimeSpan.FromMinutes(3));

        run.ExitCode.Should().Be(0, $"the sample should succeed.{Environment.NewLine}{run.AllOutput}");
        run.StandardOutput.Should().Contain("Sample finished: every check held.");

        var tables = OutputTables.Parse(run.StandardOutput);
        var usageRows = tables.Where(t => t.Has("used") && t.Has("limit")).SelectMany(t => t.Rows).ToList();
        usageRows.Should().NotBeEmpty("the sample prints usage tables");
        foreach (var row in usageRows)
        {
            var limit = FeatureLimit.Parse(row["limit"]);
            var used = long.Parse(row["used"], CultureInfo.InvariantCulture);
            if (limit is { Kind: LimitKind.Limited, IsSoft: false })
            {
                used.Should().BeLessThanOrEqualTo(limit.Value, $"{row["subject"]} {row["feature"]} has a hard limit");
            }
        }

        usageRows.Should().Contain(r => r["period (subject's local time)"].EndsWith("(25 h)", StringComparison.Ordinal),
            "the Melbourne day of 2025-04-06 lasts 25 hours");
        tables.Should().Contain(t => t.Has("threshold") && t.Rows.Count > 0, "alerts fire during the month");

        var burst = BurstLine().Match(run.StandardOutput);
        burst.Success.Should().BeTrue("the sample prints a BURST line");
        int Value(string name) => int.Parse(burst.Groups[name].Value, CultureInfo.InvariantCulture);
        Value("attempts").Should().Be(50);
        Value("allowed").Should().Be(Value("limit"), "exactly the limit is allowed, however many race for it");
        Value("used").Should().Be(Value("limit"));
        Value("denied").Should().Be(Value("attempts") - Value("limit"));
    }

    [GeneratedRegex(@"BURST attempts=(?<attempts>\d+) limit=(?<limit>\d+) allowed=(?<allowed>\d+) denied=(?<denied>\d+) used=(?<used>\d+)")]
    private static partial Regex BurstLine();
}
