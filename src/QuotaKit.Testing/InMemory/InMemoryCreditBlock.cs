namespace QuotaKit.Testing;

/// <summary>The in-memory counterpart of a <c>credit_blocks</c> row: one block whose burned units change. Mutated only
/// under the store's lock.</summary>
internal sealed class InMemoryCreditBlock(CreditBlock block)
{
    /// <summary>The block as it stands now (its <see cref="CreditBlock.Burned"/> included).</summary>
    public CreditBlock Block { get; private set; } = block;

    /// <summary>Spends <paramref name="units"/> of what is left.</summary>
    public void Burn(long units) => Block = Block with { Burned = Block.Burned + units };

    /// <summary>Takes back <paramref name="units"/> of what was burned.</summary>
    public void Return(long units) => Block = Block with { Burned = Block.Burned - units };
}
