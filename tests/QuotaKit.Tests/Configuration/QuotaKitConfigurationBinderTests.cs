using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace QuotaKit.Tests.Configuration;

public class QuotaKitConfigurationBinderTests
{
    private static readonly Dictionary<string, string?> IssueExample = new()
    {
        ["QuotaKit:DefaultPlan"] = "free",
        ["QuotaKit:IdempotencyRetention"] = "7.00:00:00",
        ["QuotaKit:Features:images:Unit"] = "image",
        ["QuotaKit:Features:images:Period"] = "day",
        ["QuotaKit:Features:images:TimeZone"] = "Australia/Melbourne",
        ["QuotaKit:Features:images:Aggregation"] = "sum",
        ["QuotaKit:Features:images:AlertThresholds:0"] = "80",
        ["QuotaKit:Features:images:AlertThresholds:1"] = "100",
        ["QuotaKit:Features:voice_seconds:Unit"] = "second",
        ["QuotaKit:Features:voice_seconds:Period"] = "month",
        ["QuotaKit:Features:seats:Period"] = "billing-month",
        ["QuotaKit:Features:seats:Aggregation"] = "last",
        ["QuotaKit:Plans:free:images"] = "3",
        ["QuotaKit:Plans:free:voice_seconds"] = "600 soft",
        ["QuotaKit:Plans:free:seats"] = "unlimited",
        ["QuotaKit:Plans:pro:images"] = "100",
    };

    [Fact]
    public void The_documented_shape_binds_features_plans_and_defaults()
    {
        var options = Bind(IssueExample);

        options.DefaultPlan.Should().Be("free");
        options.IdempotencyRetention.Should().Be(Duration.FromDays(7));
        options.Features.Keys.Should().BeEquivalentTo("images", "voice_seconds", "seats");

        var images = options.Features["images"];
        images.Unit.Should().Be("image");
        images.Period.Should().Be(PeriodPolicy.Day.InZone("Australia/Melbourne"));
        images.Aggregation.Should().Be(FeatureAggregation.Sum);
        images.AlertThresholds.Should().Equal(80, 100);

        var seats = options.Features["seats"];
        seats.Unit.Should().Be("unit");
        seats.Period.Should().Be(PeriodPolicy.MonthlyBillingCycle);
        seats.Aggregation.Should().Be(FeatureAggregation.Last);
        seats.AlertThresholds.Should().Equal(80, 100);

        options.Plans["free"].Limits.Should().BeEquivalentTo(new Dictionary<string, FeatureLimit>
        {
            ["images"] = FeatureLimit.Hard(3),
            ["voice_seconds"] = FeatureLimit.Soft(600),
            ["seats"] = FeatureLimit.Unlimited,
        });
        options.Plans["pro"].Limits.Should().Equal(new Dictionary<string, FeatureLimit> { ["images"] = FeatureLimit.Hard(100) });
        options.BindingProblems.Should().BeEmpty();
    }

    [Fact]
    public void Every_bad_value_is_collected_and_reported_together()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["QuotaKit:IdempotencyRetention"] = "a week",
            ["QuotaKit:Features:images:Period"] = "fortnight",
            ["QuotaKit:Features:audio:Period"] = "day",
            ["QuotaKit:Features:audio:TimeZone"] = "Mars/Olympus",
            ["QuotaKit:Features:seats:Period"] = "month",
            ["QuotaKit:Features:seats:Aggregation"] = "average",
            ["QuotaKit:Features:seats:AlertThresholds:0"] = "eighty",
            ["QuotaKit:Features:video:Unit"] = "clip",
            ["QuotaKit:Features:video:Periode"] = "day",
            ["QuotaKit:Plans:free:seats"] = "three",
            ["QuotaKit:Plans:free:video"] = "-1",
        });

        options.BindingProblems.Should().HaveCount(9);
        options.BindingProblems.Should().ContainMatch("IdempotencyRetention 'a week' is not a duration*");
        options.BindingProblems.Should().ContainMatch("Feature 'images': 'fortnight' is not a period policy*");
        options.BindingProblems.Should().ContainMatch("Feature 'audio': Unknown time zone 'Mars/Olympus'*");
        options.BindingProblems.Should().ContainMatch("Feature 'seats' has an unknown Aggregation 'average'*");
        options.BindingProblems.Should().ContainMatch("Feature 'seats' has an alert threshold 'eighty'*");
        options.BindingProblems.Should().ContainMatch("Feature 'video' has an unknown setting 'Periode'*");
        options.BindingProblems.Should().ContainMatch("Feature 'video' has no Period*");
        options.BindingProblems.Should().ContainMatch("Plan 'free', feature 'seats': 'three' is not a limit*");
        options.BindingProblems.Should().ContainMatch("Plan 'free', feature 'video': '-1' is not a limit*");
    }

    [Fact]
    public void Validation_lists_binding_problems_with_the_others_in_one_exception()
    {
        var configuration = Configuration(new Dictionary<string, string?>
        {
            ["QuotaKit:DefaultPlan"] = "gold",
            ["QuotaKit:Features:images:Period"] = "fortnight",
            ["QuotaKit:Plans:free:images"] = "lots",
            ["QuotaKit:Plans:free:videos"] = "3",
        });
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.BindConfiguration(configuration.GetSection("QuotaKit")));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<QuotaKitOptions>>().Value;

        act.Should().Throw<QuotaConfigurationException>().Which.Problems.Should().HaveCount(4)
            .And.ContainMatch("*'fortnight' is not a period policy*")
            .And.ContainMatch("*'lots' is not a limit*")
            .And.Contain("Plan 'free' sets a limit on unknown feature 'videos'.")
            .And.Contain("The default plan 'gold' is not declared.");
    }

    [Fact]
    public void Keys_declared_both_in_code_and_in_configuration_are_reported()
    {
        var configuration = Configuration(IssueExample);
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("pro", p => p.Limit("images", 5))
            .BindConfiguration(configuration.GetSection("QuotaKit")));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<QuotaKitOptions>>().Value;

        act.Should().Throw<QuotaConfigurationException>().Which.Problems.Should().BeEquivalentTo(
            "Feature 'images' is declared twice (in configuration and in code).",
            "Plan 'pro' is declared twice (in configuration and in code).");
    }

    [Fact]
    public void Declarations_from_code_and_configuration_add_up()
    {
        var configuration = Configuration(IssueExample);
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .BindConfiguration(configuration.GetSection("QuotaKit"))
            .AddFeature("exports", PeriodPolicy.Month)
            .AddPlan("team", p => p.Limit("exports", 10)));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<QuotaKitOptions>>().Value;

        options.Features.Keys.Should().BeEquivalentTo("images", "voice_seconds", "seats", "exports");
        options.Plans.Keys.Should().BeEquivalentTo("free", "pro", "team");
    }

    [Fact]
    public void Aggregation_is_case_insensitive_and_numbers_are_refused()
    {
        Bind(new Dictionary<string, string?> { ["QuotaKit:Features:peak:Period"] = "day", ["QuotaKit:Features:peak:Aggregation"] = "MAX" })
            .Features["peak"].Aggregation.Should().Be(FeatureAggregation.Max);
        Bind(new Dictionary<string, string?> { ["QuotaKit:Features:peak:Period"] = "day", ["QuotaKit:Features:peak:Aggregation"] = "2" })
            .BindingProblems.Should().ContainSingle().Which.Should().Contain("unknown Aggregation '2'");
    }

    private static QuotaKitOptions Bind(Dictionary<string, string?> values)
    {
        var options = new QuotaKitOptions();
        QuotaKitConfigurationBinder.Bind(Configuration(values).GetSection("QuotaKit"), options);
        return options;
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
