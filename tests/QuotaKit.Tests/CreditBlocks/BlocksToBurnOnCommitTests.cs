using NodaTime;

namespace QuotaKit.Tests.CreditBlocks;

/// <summary><see cref="HoldSettleRequest.BlocksToBurnOnCommit"/> (rules.md, "Reservations").</summary>
public class BlocksToBurnOnCommitTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);

    private static HoldSettleRequest Request(bool commit, long actual, FeatureLimit limit) =>
        new(new Reservation("subject", "images", Guid.NewGuid()), commit, actual, limit, [], Now);

    [Theory]
    [InlineData(2, 2, 0, 7, 5, 4)]   // 5 more than held; plan left 3 - 2 = 1; 4 burn
    [InlineData(2, 2, 0, 6, 1, 1)]   // 4 more; 3 needed; the blocks hold 1
    [InlineData(5, 5, 2, 6, 9, 1)]   // plan part 5 - 2 = 3 of 3: the 1 more all from blocks
    [InlineData(1, 1, 0, 3, 9, 0)]   // 2 more; plan left 2: nothing burns
    [InlineData(10, 2, 2, 4, 9, 2)]  // plan part 8 past the limit 3 (a downgrade): the 2 more all from blocks
    public void A_commit_of_more_than_held_burns_the_excess_the_plan_cannot_cover_as_far_as_the_blocks_reach(
        long used, long held, long burned, long actual, long available, long expected)
    {
        Request(commit: true, actual, FeatureLimit.Hard(3)).BlocksToBurnOnCommit(used, held, burned, available).Should().Be(expected);
    }

    [Fact]
    public void Nothing_burns_for_a_release_a_commit_of_no_more_than_held_or_a_limit_that_is_not_a_number()
    {
        Request(commit: false, 0, FeatureLimit.Hard(3)).BlocksToBurnOnCommit(3, 3, 0, 9).Should().Be(0);
        Request(commit: true, 3, FeatureLimit.Hard(3)).BlocksToBurnOnCommit(5, 3, 0, 9).Should().Be(0, "as much as held");
        Request(commit: true, 1, FeatureLimit.Hard(3)).BlocksToBurnOnCommit(5, 3, 0, 9).Should().Be(0, "fewer than held");
        Request(commit: true, 9, FeatureLimit.Unlimited).BlocksToBurnOnCommit(5, 3, 0, 9).Should().Be(0);
        Request(commit: true, 9, FeatureLimit.Disabled).BlocksToBurnOnCommit(5, 3, 0, 9).Should().Be(0);
    }

    [Fact]
    public void A_soft_limit_burns_as_a_hard_one()
    {
        Request(commit: true, 7, FeatureLimit.Soft(3)).BlocksToBurnOnCommit(2, 2, 0, 9).Should().Be(4);
    }
}
