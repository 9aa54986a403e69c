namespace QuotaKit.Testing;

/// <summary>
/// What one counter (period) burned from each credit block, net of what it gave back: the in-memory counterpart of the
/// period's <c>blocks_burned</c> and its <c>credit_burns</c> rows. Mutated only under the store's lock.
/// </summary>
internal sealed class InMemoryCreditBurns
{
    private readonly Dictionary<InMemoryCreditBlock, long> _byBlock = new();

    /// <summary>The units the period drew from blocks (the sum of its burns).</summary>
    public long Total { get; private set; }

    /// <summary>Burns <paramref name="units"/> from <paramref name="block"/> for this period.</summary>
    public void Burn(InMemoryCreditBlock block, long units)
    {
        block.Burn(units);
        _byBlock[block] = _byBlock.GetValueOrDefault(block) + units;
        Total += units;
    }

    /// <summary>
    /// Gives back up to <paramref name="units"/> to the blocks this period burned, in the reverse of
    /// <see cref="CreditBlock.BurnOrder"/> (the last burned first), whether or not they are still valid; returns how many
    /// it gave back (at most <see cref="Total"/>).
    /// </summary>
    public long GiveBack(long units)
    {
        var left = Math.Min(units, Total);
        var returned = left;
        foreach (var block in _byBlock.Keys.OrderByDescending(b => b.Block, CreditBlock.BurnOrder).ToList())
        {
            if (left == 0)
            {
                break;
            }

            var back = Math.Min(left, _byBlock[block]);
            block.Return(back);
            left -= back;
            if ((_byBlock[block] -= back) == 0)
            {
                _byBlock.Remove(block);
            }
        }

        Total -= returned;
        return returned;
    }

    /// <summary>The burns, in burn order of their blocks, units above 0 only.</summary>
    public IReadOnlyList<CreditBurn> ToList() =>
        [.. _byBlock.Where(b => b.Value > 0).OrderBy(b => b.Key.Block, CreditBlock.BurnOrder).Select(b => new CreditBurn(b.Key.Block.Id, b.Value))];
}
