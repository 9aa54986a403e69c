namespace QuotaKit.Tests.Features;

public class FeatureLimitTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void A_negative_hard_or_soft_limit_is_refused_naming_the_value(long value)
    {
        var hard = () => FeatureLimit.Hard(value);
        var soft = () => FeatureLimit.Soft(value);

        hard.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value").Which.ActualValue.Should().Be(value);
        soft.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value").Which.ActualValue.Should().Be(value);
    }

    [Fact]
    public void A_stored_limited_kind_with_a_negative_number_is_refused()
    {
        var read = () => FeatureLimit.FromParts(LimitKind.Limited, -5, isSoft: false);

        read.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
    }

    [Fact]
    public void A_limit_of_zero_is_allowed()
    {
        FeatureLimit.Hard(0).Should().Match<FeatureLimit>(l => l.Kind == LimitKind.Limited && l.Value == 0 && !l.IsSoft);
    }

    [Fact]
    public void Unlimited_and_disabled_are_never_soft_and_carry_no_number()
    {
        // A usage page or a 429 that reads IsSoft must not call an unlimited or a disabled feature "soft".
        FeatureLimit.Unlimited.Should().Match<FeatureLimit>(l => l.Kind == LimitKind.Unlimited && l.Value == 0 && !l.IsSoft);
        FeatureLimit.Disabled.Should().Match<FeatureLimit>(l => l.Kind == LimitKind.Disabled && l.Value == 0 && !l.IsSoft);
        FeatureLimit.FromParts(LimitKind.Unlimited, 7, isSoft: true).Should().Be(FeatureLimit.Unlimited);
        FeatureLimit.FromParts(LimitKind.Disabled, 7, isSoft: true).Should().Be(FeatureLimit.Disabled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_stored_limited_kind_keeps_its_number_and_its_soft_flag(bool isSoft)
    {
        var limit = FeatureLimit.FromParts(LimitKind.Limited, 40, isSoft);

        (limit.Kind, limit.Value, limit.IsSoft).Should().Be((LimitKind.Limited, 40L, isSoft));
    }

    [Fact]
    public void Parsing_no_text_is_refused_by_naming_the_argument()
    {
        var parse = () => FeatureLimit.Parse(null!);

        parse.Should().Throw<ArgumentNullException>().WithParameterName("text");
    }

    [Fact]
    public void A_negative_limit_is_refused_with_a_message_that_says_so()
    {
        var hard = () => FeatureLimit.Hard(-1);

        hard.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*negative*");
    }

    [Fact]
    public void Granted_units_raise_a_numeric_limit_and_keep_its_kind()
    {
        FeatureLimit.Hard(10).WithExtra(5).Should().Be(FeatureLimit.Hard(15));
        FeatureLimit.Soft(10).WithExtra(5).Should().Be(FeatureLimit.Soft(15));
        FeatureLimit.Hard(10).WithExtra(0).Should().Be(FeatureLimit.Hard(10));
    }

    [Fact]
    public void Granted_units_leave_unlimited_and_disabled_as_they_are()
    {
        // A grant must not turn "disabled" into a number a usage page or a 429 would show.
        FeatureLimit.Unlimited.WithExtra(50).Should().Be(FeatureLimit.Unlimited);
        FeatureLimit.Disabled.WithExtra(50).Should().Be(FeatureLimit.Disabled);
    }

    [Theory]
    [InlineData(long.MaxValue - 1, 10)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(long.MaxValue - 5, long.MaxValue)]
    public void Granted_units_that_would_overflow_the_limit_give_the_largest_limit_instead_of_a_negative_one(long limit, long units)
    {
        FeatureLimit.Hard(limit).WithExtra(units).Should().Be(FeatureLimit.Hard(long.MaxValue));
    }
}
