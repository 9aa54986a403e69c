namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// Fast checks of the SQL mutants themselves, in the default run: when <c>quotakit.record_usage</c> changes, a mutant
/// whose text is gone fails here at once rather than in the slower harness.
/// </summary>
public class SqlMutantTests
{
    [Fact]
    public void Every_mutant_applies_to_the_shipped_function_and_changes_it()
    {
        foreach (var mutant in SqlMutants.All)
        {
            var shipped = FrozenObjects.Read(mutant.File);
            mutant.Apply(shipped).Should().NotBe(shipped, mutant.Name);
        }

        SqlMutants.All.Select(m => m.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_mutant_whose_text_is_missing_or_repeated_fails_loudly()
    {
        var mutant = new SqlMutant("flip", "v_used > p_limit", "v_used >= p_limit");

        FluentActions.Invoking(() => mutant.Apply("SELECT 1")).Should().Throw<InvalidOperationException>().WithMessage("*'flip'*0 times*");
        FluentActions.Invoking(() => mutant.Apply("v_used > p_limit OR v_used > p_limit")).Should().Throw<InvalidOperationException>()
            .WithMessage("*2 times*");
        mutant.Apply("IF v_used\n    > p_limit THEN").Should().Be("IF v_used >= p_limit THEN", "whitespace runs match any whitespace");
    }
}
