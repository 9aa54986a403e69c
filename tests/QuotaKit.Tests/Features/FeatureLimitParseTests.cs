namespace QuotaKit.Tests.Features;

public class FeatureLimitParseTests
{
    [Theory]
    [InlineData("3", 3L, false)]
    [InlineData("0", 0L, false)]
    [InlineData(" 600 soft ", 600L, true)]
    [InlineData("600 SOFT", 600L, true)]
    [InlineData("100 hard", 100L, false)]
    [InlineData("9223372036854775807", long.MaxValue, false)]
    public void Numbers_parse_as_limited(string text, long value, bool soft)
    {
        var limit = FeatureLimit.Parse(text);

        limit.Kind.Should().Be(LimitKind.Limited);
        limit.Value.Should().Be(value);
        limit.IsSoft.Should().Be(soft);
    }

    [Theory]
    [InlineData("unlimited")]
    [InlineData("Unlimited")]
    public void Unlimited_parses(string text) => FeatureLimit.Parse(text).Should().Be(FeatureLimit.Unlimited);

    [Theory]
    [InlineData("disabled")]
    [InlineData(" DISABLED")]
    public void Disabled_parses(string text) => FeatureLimit.Parse(text).Should().Be(FeatureLimit.Disabled);

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("3.5")]
    [InlineData("1,000")]
    [InlineData("3 maybe")]
    [InlineData("3 soft extra")]
    [InlineData("soft")]
    [InlineData("9223372036854775808")]
    [InlineData("unlimited soft")]
    public void Anything_else_is_a_format_error_quoting_the_text(string text)
    {
        var act = () => FeatureLimit.Parse(text);

        act.Should().Throw<FormatException>().WithMessage($"'{text}' is not a limit*");
    }

    [Fact]
    public void ToString_round_trips()
    {
        foreach (var limit in new[] { FeatureLimit.Hard(3), FeatureLimit.Soft(600), FeatureLimit.Unlimited, FeatureLimit.Disabled })
        {
            FeatureLimit.Parse(limit.ToString()).Should().Be(limit);
        }
    }
}
