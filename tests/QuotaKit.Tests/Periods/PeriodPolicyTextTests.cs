using NodaTime;


namespace QuotaKit.Tests.Periods;

public class PeriodPolicyTextTests
{
    public static TheoryData<string, PeriodPolicy> Texts => new()
    {
        { "minute", PeriodPolicy.Minute },
        { "hour", PeriodPolicy.Hour },
        { "day", PeriodPolicy.Day },
        { "week", PeriodPolicy.Week(IsoDayOfWeek.Monday) },
        { "week:sunday", PeriodPolicy.Week(IsoDayOfWeek.Sunday) },
        { "month", PeriodPolicy.Month },
        { "quarter", PeriodPolicy.Quarter },
        { "year", PeriodPolicy.Year },
        { "billing-month", PeriodPolicy.BillingCycle(1) },
        { "billing-year", PeriodPolicy.BillingCycle(12) },
        { "billing:3", PeriodPolicy.BillingCycle(3) },
        { "lifetime", PeriodPolicy.Lifetime },
        { "every:30m", PeriodPolicy.Fixed(Duration.FromMinutes(30)) },
        { "every:6h", PeriodPolicy.Fixed(Duration.FromHours(6)) },
        { "every:7d", PeriodPolicy.Fixed(Duration.FromDays(7)) },
        { "every:90s", PeriodPolicy.Fixed(Duration.FromSeconds(90)) },
        { "every:7d@2025-01-06T00:00:00Z", PeriodPolicy.Fixed(Duration.FromDays(7), Instant.FromUtc(2025, 1, 6, 0, 0)) },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Parses_and_formats_configuration_text(string text, PeriodPolicy policy)
    {
        PeriodPolicy.Parse(text).Should().Be(policy);
        policy.ToConfigurationString().Should().Be(text);
    }

    [Theory]
    [InlineData("DAY", "day")]
    [InlineData(" Week:SUNDAY ", "week:sunday")]
    [InlineData("Billing:12", "billing-year")]
    [InlineData("EVERY:6H", "every:6h")]
    [InlineData("every:360m", "every:6h")]
    [InlineData("every:1d", "every:1d")]
    [InlineData("week:monday", "week")]
    public void Parsing_ignores_case_and_surrounding_spaces(string text, string canonical)
    {
        PeriodPolicy.Parse(text).ToConfigurationString().Should().Be(canonical);
    }

    [Theory]
    [InlineData("")]
    [InlineData("daily")]
    [InlineData("day:1")]
    [InlineData("week:")]
    [InlineData("week:funday")]
    [InlineData("week:none")]
    [InlineData("week:1")]
    [InlineData("billing")]
    [InlineData("billing:0")]
    [InlineData("billing:-3")]
    [InlineData("billing:x")]
    [InlineData("billing:1201")]
    [InlineData("every:0h")]
    [InlineData("every:-1h")]
    [InlineData("every:6")]
    [InlineData("every:h")]
    [InlineData("every:6w")]
    [InlineData("every:6h@yesterday")]
    [InlineData("every:99999999999999d")]
    public void Bad_text_is_a_configuration_error_that_quotes_the_text(string text)
    {
        Action parse = () => PeriodPolicy.Parse(text);

        parse.Should().Throw<QuotaConfigurationException>().WithMessage($"*'{text}'*");
    }
}
