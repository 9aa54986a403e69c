using NodaTime;

namespace QuotaKit.Tests.Configuration;

public class QuotaKitOptionsValidatorTests
{
    [Fact]
    public void A_valid_configuration_has_no_problems()
    {
        QuotaKitOptionsValidator.FindProblems(ValidOptions()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("emoji😀")]
    public void An_invalid_feature_key_is_reported(string key)
    {
        var options = ValidOptions();
        options.Features[key] = new FeatureDefinition(key, PeriodPolicy.Day);

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Contain($"Feature key '{key}' is invalid");
    }

    [Fact]
    public void A_feature_key_of_101_characters_is_reported()
    {
        var options = ValidOptions();
        var key = new string('a', 101);
        options.Features[key] = new FeatureDefinition(key, PeriodPolicy.Day);

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Contain("is invalid");
    }

    [Fact]
    public void An_invalid_plan_key_is_reported()
    {
        var options = ValidOptions();
        options.Plans["bad plan"] = new PlanDefinition("bad plan");

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Contain("Plan key 'bad plan' is invalid");
    }

    [Fact]
    public void A_feature_without_a_period_is_reported()
    {
        var options = ValidOptions();
        options.Features["images"].Period = null!;

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Be("Feature 'images' has no period.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    [InlineData(-5)]
    public void An_alert_threshold_outside_1_to_1000_is_reported(int threshold)
    {
        var options = ValidOptions();
        options.Features["images"].AlertThresholds = [80, threshold];

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle()
            .Which.Should().Be("Feature 'images' has an alert threshold outside 1..1000 percent.");
    }

    [Fact]
    public void Thresholds_of_1_and_1000_are_accepted()
    {
        var options = ValidOptions();
        options.Features["images"].AlertThresholds = [1, 1000];

        QuotaKitOptionsValidator.FindProblems(options).Should().BeEmpty();
    }

    [Fact]
    public void A_threshold_listed_twice_is_reported()
    {
        var options = ValidOptions();
        options.Features["images"].AlertThresholds = [80, 100, 80];

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle()
            .Which.Should().Be("Feature 'images' lists an alert threshold twice.");
    }

    [Fact]
    public void A_plan_limiting_an_unknown_feature_is_reported()
    {
        var options = ValidOptions();
        options.Plans["free"].Limit("videos", 1);

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle()
            .Which.Should().Be("Plan 'free' sets a limit on unknown feature 'videos'.");
    }

    [Fact]
    public void An_undeclared_default_plan_is_reported()
    {
        var options = ValidOptions();
        options.DefaultPlan = "gold";

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle()
            .Which.Should().Be("The default plan 'gold' is not declared.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_retention_that_is_not_positive_is_reported(int seconds)
    {
        var options = ValidOptions();
        options.IdempotencyRetention = Duration.FromSeconds(seconds);

        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Be("IdempotencyRetention must be positive.");
    }

    [Fact]
    public void A_negative_subject_cache_duration_is_reported_and_zero_is_accepted()
    {
        var options = ValidOptions();
        options.SubjectCacheDuration = Duration.Zero;
        QuotaKitOptionsValidator.FindProblems(options).Should().BeEmpty();

        options.SubjectCacheDuration = Duration.FromSeconds(-1);
        QuotaKitOptionsValidator.FindProblems(options).Should().ContainSingle().Which.Should().Be("SubjectCacheDuration cannot be negative.");
    }

    [Fact]
    public void Every_problem_is_listed_in_one_exception()
    {
        var options = ValidOptions();
        options.Features["images"].AlertThresholds = [0];
        options.Plans["free"].Limit("videos", 1);
        options.DefaultPlan = "gold";
        options.BindingProblems.Add("a problem found while binding");

        var act = () => QuotaKitOptionsValidator.ThrowIfInvalid(options);

        var exception = act.Should().Throw<QuotaConfigurationException>().Which;
        exception.Problems.Should().BeEquivalentTo(
            "a problem found while binding",
            "Feature 'images' has an alert threshold outside 1..1000 percent.",
            "Plan 'free' sets a limit on unknown feature 'videos'.",
            "The default plan 'gold' is not declared.");
        exception.Message.Should().StartWith("Invalid QuotaKit configuration (4 problems):");
    }

    private static QuotaKitOptions ValidOptions()
    {
        var options = new QuotaKitOptions { DefaultPlan = "free" };
        options.Features["images"] = new FeatureDefinition("images", PeriodPolicy.Day);
        options.Features["seats"] = new FeatureDefinition("seats", PeriodPolicy.Month) { Aggregation = FeatureAggregation.Last };
        options.Plans["free"] = new PlanDefinition("free").Limit("images", 3).Unlimited("seats");
        return options;
    }
}
