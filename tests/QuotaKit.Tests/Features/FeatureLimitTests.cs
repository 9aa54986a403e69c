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
}
