using NodaTime;


namespace QuotaKit.Tests.Periods;

public class PeriodPolicyTests
{
    public static TheoryData<PeriodPolicy, string> Descriptions => new()
    {
        { PeriodPolicy.Day, "Day" },
        { PeriodPolicy.Week(IsoDayOfWeek.Sunday), "Week(Sunday)" },
        { PeriodPolicy.Week(), "Week(Monday)" },
        { PeriodPolicy.Quarter, "Quarter" },
        { PeriodPolicy.MonthlyBillingCycle, "BillingCycle(1 month)" },
        { PeriodPolicy.YearlyBillingCycle, "BillingCycle(12 months)" },
        { PeriodPolicy.Lifetime, "Lifetime" },
        { PeriodPolicy.Fixed(Duration.FromHours(6)), "Every 6 hours" },
        { PeriodPolicy.Fixed(Duration.FromDays(1)), "Every 1 day" },
        { PeriodPolicy.Fixed(Duration.FromMilliseconds(1500)), "Every 1500 milliseconds" },
        { PeriodPolicy.Fixed(Duration.FromDays(7), Instant.FromUtc(2025, 1, 6, 0, 0)), "Every 7 days from 2025-01-06T00:00:00Z" },
        { PeriodPolicy.Day.InZone("Australia/Melbourne"), "Day in Australia/Melbourne" },
        { PeriodPolicy.BillingCycle(3).InZone("Europe/Paris"), "BillingCycle(3 months) in Europe/Paris" },
    };

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void Describes_itself_readably(PeriodPolicy policy, string description)
    {
        policy.ToString().Should().Be(description);
        policy.Describe().Should().Be(description);
    }

    [Fact]
    public void Policies_with_the_same_parameters_are_equal()
    {
        PeriodPolicy.Week(IsoDayOfWeek.Sunday).Should().Be(PeriodPolicy.Week(IsoDayOfWeek.Sunday));
        PeriodPolicy.Week(IsoDayOfWeek.Sunday).GetHashCode().Should().Be(PeriodPolicy.Week(IsoDayOfWeek.Sunday).GetHashCode());
        PeriodPolicy.Day.InZone("Asia/Tokyo").Should().Be(PeriodPolicy.Day.InZone(TimeZones.Get("Asia/Tokyo")));
        PeriodPolicy.Fixed(Duration.FromHours(24)).Should().Be(PeriodPolicy.Fixed(Duration.FromDays(1)));
        PeriodPolicy.BillingCycle(12).Should().Be(PeriodPolicy.YearlyBillingCycle);
    }

    [Fact]
    public void Policies_that_differ_in_any_parameter_are_not_equal()
    {
        PeriodPolicy.Week(IsoDayOfWeek.Monday).Should().NotBe(PeriodPolicy.Week(IsoDayOfWeek.Sunday));
        PeriodPolicy.Day.Should().NotBe(PeriodPolicy.Day.InZone("Asia/Tokyo"));
        PeriodPolicy.Day.InZone("Asia/Tokyo").Should().NotBe(PeriodPolicy.Day.InZone("Asia/Seoul"));
        PeriodPolicy.Day.Should().NotBe(PeriodPolicy.Month);
        PeriodPolicy.Fixed(Duration.FromDays(1)).Should().NotBe(PeriodPolicy.Day);
        PeriodPolicy.Fixed(Duration.FromDays(7)).Should().NotBe(PeriodPolicy.Fixed(Duration.FromDays(7), Instant.FromUtc(2025, 1, 6, 0, 0)));
        PeriodPolicy.BillingCycle(1).Should().NotBe(PeriodPolicy.BillingCycle(3));
    }

    [Fact]
    public void InZone_returns_a_new_policy_and_leaves_the_original_unchanged()
    {
        PeriodPolicy melbourneDay = PeriodPolicy.Day.InZone("Australia/Melbourne");

        melbourneDay.TimeZone!.Id.Should().Be("Australia/Melbourne");
        PeriodPolicy.Day.TimeZone.Should().BeNull();
        melbourneDay.InZone("Asia/Tokyo").TimeZone!.Id.Should().Be("Asia/Tokyo");
    }

    [Theory]
    [InlineData((IsoDayOfWeek)0)]
    [InlineData((IsoDayOfWeek)8)]
    public void A_week_must_start_on_a_real_day(IsoDayOfWeek firstDay)
    {
        Action create = () => PeriodPolicy.Week(firstDay);

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("firstDay");
    }
}
