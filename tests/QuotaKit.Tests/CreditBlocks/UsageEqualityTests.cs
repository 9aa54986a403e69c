using NodaTime;

namespace QuotaKit.Tests.CreditBlocks;

/// <summary><see cref="FeatureUsage"/> and <see cref="StoredPeriod"/> compare their block lists item by item.</summary>
public class UsageEqualityTests
{
    private static readonly UsagePeriod Monday = new(Instant.FromUtc(2025, 3, 10, 0, 0), Instant.FromUtc(2025, 3, 11, 0, 0));
    private static readonly Guid BlockId = Guid.Parse("00000000-0000-0000-0000-000000000001");

    private static FeatureUsage Usage(long burnedUnits) =>
        new("images", "image", 5, FeatureLimit.Hard(3), Monday) { BlocksBurned = 2, Burns = [.. new[] { new CreditBurn(BlockId, burnedUnits) }] };

    [Fact]
    public void Usages_with_equal_lists_built_apart_are_equal()
    {
        var empty = new FeatureUsage("images", "image", 0, FeatureLimit.Hard(3), Monday);
        var emptyBuiltApart = empty with { Blocks = new List<CreditBlock>(), Burns = new List<CreditBurn>() };

        emptyBuiltApart.Should().Be(empty);
        Usage(2).Should().Be(Usage(2));
        Usage(2).GetHashCode().Should().Be(Usage(2).GetHashCode());
        Usage(2).Should().NotBe(Usage(1));
        Usage(2).Should().NotBe(Usage(2) with { BlocksBurned = 1 });
        Usage(2).Equals(null).Should().BeFalse();
    }

    [Fact]
    public void Stored_periods_with_equal_burns_built_apart_are_equal()
    {
        StoredPeriod Stored(long units) =>
            new(Monday, 5, 3, Monday.Start) { BlocksBurned = 2, Burns = new List<CreditBurn> { new(BlockId, units) } };

        Stored(2).Should().Be(Stored(2));
        Stored(2).GetHashCode().Should().Be(Stored(2).GetHashCode());
        Stored(2).Should().NotBe(Stored(1));
        Stored(2).Should().NotBe(Stored(2) with { LimitValue = null });
        Stored(2).Equals(null).Should().BeFalse();
    }
}
