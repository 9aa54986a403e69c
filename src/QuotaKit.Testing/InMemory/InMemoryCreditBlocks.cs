using NodaTime;

namespace QuotaKit.Testing;

/// <summary>
/// The in-memory store's credit blocks, by subject: adds them, reads them in <see cref="CreditBlock.BurnOrder"/>, sums
/// what the usable ones have left and burns them in that order. Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class InMemoryCreditBlocks
{
    private readonly Dictionary<string, List<InMemoryCreditBlock>> _bySubject = new(StringComparer.Ordinal);

    public void Add(string subjectId, CreditBlock block)
    {
        if (!_bySubject.TryGetValue(subjectId, out var blocks))
        {
            _bySubject[subjectId] = blocks = [];
        }

        blocks.Add(new InMemoryCreditBlock(block));
    }

    /// <summary>
    /// Carries into a block of <see cref="CreditBlockSource.Rollover"/> what <paramref name="previous"/>, the period just
    /// before the counter <paramref name="write"/> created at <paramref name="start"/>, left unused
    /// (<see cref="UsageWrite.CarriedFrom"/>); nothing when the write does not roll over or nothing was left.
    /// </summary>
    public void RollOver(UsageWrite write, StoredPeriod previous, Instant start)
    {
        var carried = write.CarriedFrom(previous);
        if (write.RolloverValidUntil is not { } until || carried <= 0)
        {
            return;
        }

        Add(write.SubjectId, new CreditBlock(
            Guid.CreateVersion7(write.RecordedAt.ToDateTimeOffset()), write.FeatureKey, carried, 0, 0, start, until, write.RecordedAt, null)
        {
            Source = CreditBlockSource.Rollover,
        });
    }

    /// <summary>Every block of the subject, spent and expired ones included, in burn order.</summary>
    public IReadOnlyList<CreditBlock> All(string subjectId) =>
        _bySubject.TryGetValue(subjectId, out var blocks) ? [.. blocks.Select(b => b.Block).Order(CreditBlock.BurnOrder)] : [];

    /// <summary>The units left in the subject's blocks of the feature usable at <paramref name="at"/>, saturating at
    /// <see cref="long.MaxValue"/>.</summary>
    public long Available(string subjectId, string featureKey, Instant at)
    {
        var sum = 0L;
        foreach (var block in Usable(subjectId, featureKey, at))
        {
            var remaining = block.Block.Remaining;
            sum = sum > long.MaxValue - remaining ? long.MaxValue : sum + remaining;
        }

        return sum;
    }

    /// <summary>Burns <paramref name="units"/> (at most <see cref="Available"/>) from the usable blocks in burn order,
    /// recording them in <paramref name="burns"/>.</summary>
    public void Burn(string subjectId, string featureKey, Instant at, long units, InMemoryCreditBurns burns)
    {
        foreach (var block in Usable(subjectId, featureKey, at))
        {
            if (units == 0)
            {
                return;
            }

            var take = Math.Min(units, block.Block.Remaining);
            burns.Burn(block, take);
            units -= take;
        }
    }

    private List<InMemoryCreditBlock> Usable(string subjectId, string featureKey, Instant at) =>
        _bySubject.TryGetValue(subjectId, out var blocks)
            ? [.. blocks.Where(b => b.Block.FeatureKey == featureKey && b.Block.IsUsableAt(at)).OrderBy(b => b.Block, CreditBlock.BurnOrder)]
            : [];
}
