using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;
using Xunit.Abstractions;

namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// Mutation testing for the SQL hot path, which Stryker cannot mutate: each <see cref="SqlMutants"/> entry is applied to
/// <c>quotakit.record_usage</c> in a throwaway database (migrated, then the function replaced), and
/// <see cref="RecordUsageChecks"/> runs against it. A mutant that no check catches fails the test: write the check that
/// would, or list the mutant as equivalent in docs/mutation-testing.md and remove it here with the reason.
/// Run alone with <c>dotnet test tests/QuotaKit.PostgreSql.Tests --filter Category=SqlMutation</c>.
/// </summary>
[Trait("Category", "SqlMutation")]
public class SqlMutationTests(ITestOutputHelper output)
{
    public static TheoryData<string> MutantNames => new(SqlMutants.All.Select(m => m.Name));

    [Fact]
    public async Task Every_check_passes_on_the_shipped_function()
    {
        var failures = await RunChecksAsync(RecordUsageSql.CreateFunction);

        failures.Should().BeEmpty("the checks must hold on the real function for a failing check to mean anything");
    }

    [Theory]
    [MemberData(nameof(MutantNames))]
    public async Task The_checks_kill_the_mutant(string mutantName)
    {
        var mutant = SqlMutants.All.Single(m => m.Name == mutantName);
        var mutated = mutant.Apply(FrozenObjects.Read(mutant.File)); // throws when the mutant's text is not in the function

        var failures = await RunChecksAsync(mutated);

        output.WriteLine($"{mutant.Name}: killed by {(failures.Count == 0 ? "nothing" : string.Join("; ", failures.Keys))}");
        foreach (var (check, error) in failures)
        {
            output.WriteLine($"  {check}: {error.GetType().Name}: {error.Message.Split('\n')[0]}");
        }

        failures.Should().NotBeEmpty($"the mutant '{mutant.Name}' survived every check");
    }

    /// <summary>Runs every check against a new database holding <paramref name="createFunction"/>; returns the failures.</summary>
    private static async Task<Dictionary<string, Exception>> RunChecksAsync(string createFunction)
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync("sql_mutant");
        try
        {
            await QuotaKitContexts.MigrateAsync(connectionString);
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            await using (var replace = dataSource.CreateCommand(createFunction))
            {
                await replace.ExecuteNonQueryAsync();
            }

            var failures = new Dictionary<string, Exception>();
            foreach (var (name, run) in RecordUsageChecks.All)
            {
                try
                {
                    await run(connectionString);
                }
                catch (Exception exception)
                {
                    failures[name] = exception;
                }
            }

            return failures;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await SharedPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
