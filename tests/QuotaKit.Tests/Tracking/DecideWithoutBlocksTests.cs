namespace QuotaKit.Tests.Tracking;

/// <summary>
/// <see cref="UsageRules.Decide"/>, the rule behind <see cref="UsageWrite.Apply(long)"/>, which a store that keeps no
/// credit blocks calls. Both shipped stores now decide with blocks, so these pin the rule itself.
/// </summary>
public class DecideWithoutBlocksTests
{
    [Fact]
    public void A_hard_consume_that_fills_the_limit_exactly_is_allowed()
    {
        UsageRules.Decide(UsageOperation.Consume, 2, 1, FeatureLimit.Hard(3)).Should().Be((UsageOutcome.Allowed, 3L));
    }

    [Fact]
    public void A_hard_consume_one_past_the_limit_is_refused_and_changes_nothing()
    {
        UsageRules.Decide(UsageOperation.Consume, 3, 1, FeatureLimit.Hard(3)).Should().Be((UsageOutcome.LimitExceeded, 3L));
    }

    [Theory]
    [InlineData(5, 2, 3)] // 5 - 2
    [InlineData(2, 5, 0)] // never below zero
    public void A_refund_takes_units_off_and_never_goes_below_zero(long used, long amount, long after)
    {
        UsageRules.Decide(UsageOperation.Refund, used, amount, FeatureLimit.Hard(3)).Should().Be((UsageOutcome.Allowed, after));
    }

    [Fact]
    public void A_counter_that_would_pass_the_largest_number_fails_saying_so()
    {
        var overflow = () => UsageRules.Decide(UsageOperation.Increment, long.MaxValue, 1, FeatureLimit.Unlimited);

        overflow.Should().Throw<InvalidAmountException>().WithMessage($"*the counter is at {long.MaxValue} and would exceed {long.MaxValue}*");
    }
}
