using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.Tests.Features;

public class FeatureColumnNamesTests
{
    [Theory]
    [InlineData("images", "images")]
    [InlineData("voice-seconds", "voice_seconds")]
    [InlineData("imagesGenerated", "images_generated")]
    [InlineData("api.calls:v2", "api_calls_v2")]
    [InlineData("--sms--", "sms")]
    [InlineData("2fa", "f_2fa")]
    [InlineData("limit", "limit_usage")]
    [InlineData("USER", "user_usage")]
    public void The_default_column_is_a_safe_snake_case_name_derived_from_the_key(string key, string expected)
    {
        new FeatureDefinition(key, PeriodPolicy.Day).Column().ColumnName.Should().Be(expected);
        FeatureColumnNames.FindProblems([new FeatureDefinition(key, PeriodPolicy.Day).Column()]).Should().BeEmpty();
    }

    [Fact]
    public void A_derived_name_is_cut_to_the_longest_name_that_still_takes_its_suffixes()
    {
        var key = new string('a', 100);

        var name = new FeatureDefinition(key, PeriodPolicy.Day).Column().ColumnName!;

        name.Should().HaveLength(FeatureColumnNames.MaxLength);
        (name + "_remaining").Length.Should().Be(63);
    }

    [Theory]
    [InlineData("Images")]
    [InlineData("images generated")]
    [InlineData("1images")]
    [InlineData("images-generated")]
    [InlineData("")]
    [InlineData("\"images\"")]
    public void A_name_that_is_not_a_lower_case_identifier_is_an_invalid_identifier(string name)
    {
        var problem = FeatureColumnNames.FindProblems([new FeatureDefinition("images", PeriodPolicy.Day).Column(name)]).Should().ContainSingle().Which;

        problem.Kind.Should().Be(FeatureColumnProblemKind.InvalidIdentifier);
        problem.FeatureKey.Should().Be("images");
        problem.Message.Should().Contain($"'{name}'").And.Contain("lower-case letters");
    }

    [Fact]
    public void A_name_longer_than_the_limit_is_an_invalid_identifier()
    {
        var name = new string('a', FeatureColumnNames.MaxLength + 1);

        FeatureColumnNames.FindProblems([new FeatureDefinition("images", PeriodPolicy.Day).Column(name)])
            .Should().ContainSingle().Which.Kind.Should().Be(FeatureColumnProblemKind.InvalidIdentifier);
    }

    [Theory]
    [InlineData("select")]
    [InlineData("limit")]
    [InlineData("user")]
    [InlineData("order")]
    public void A_reserved_word_is_refused(string name)
    {
        FeatureColumnNames.FindProblems([new FeatureDefinition("images", PeriodPolicy.Day).Column(name)])
            .Should().ContainSingle().Which.Kind.Should().Be(FeatureColumnProblemKind.ReservedWord);
    }

    [Theory]
    [InlineData("images", "images")]
    [InlineData("images", "images_limit")]
    [InlineData("images_limit", "images")]
    [InlineData("subject_id", null)]
    [InlineData("plan_key", null)]
    public void Colliding_names_are_refused(string first, string? second)
    {
        var features = new List<FeatureDefinition> { new FeatureDefinition("a", PeriodPolicy.Day).Column(first) };
        if (second is not null)
        {
            features.Add(new FeatureDefinition("b", PeriodPolicy.Day).Column(second));
        }

        var problem = FeatureColumnNames.FindProblems(features).Should().ContainSingle().Which;

        problem.Kind.Should().Be(FeatureColumnProblemKind.Collision);
        problem.Message.Should().Contain("collides with");
    }

    [Fact]
    public void Features_without_a_column_are_not_checked()
    {
        FeatureColumnNames.FindProblems([new FeatureDefinition("select", PeriodPolicy.Day)]).Should().BeEmpty();
    }

    [Fact]
    public void Invalid_columns_alone_fail_validation_with_the_typed_exception_listing_each()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day, f => f.Column("select"))
            .AddFeature("voice", PeriodPolicy.Month, f => f.Column("Voice Seconds"))
            .AddPlan("free", p => p.Limit("images", 3)));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IUsageTracker>();

        var exception = act.Should().Throw<FeatureColumnException>().Which;
        exception.Problems.Select(p => (p.FeatureKey, p.Kind)).Should().BeEquivalentTo(
            [("images", FeatureColumnProblemKind.ReservedWord), ("voice", FeatureColumnProblemKind.InvalidIdentifier)]);
        exception.Message.Should().Contain("2 problems");
    }

    [Fact]
    public void Invalid_columns_beside_other_problems_are_listed_in_the_configuration_exception()
    {
        var options = new QuotaKitOptions { DefaultPlan = "missing" };
        options.Features["images"] = new FeatureDefinition("images", PeriodPolicy.Day).Column("select");

        var act = () => QuotaKitOptionsValidator.ThrowIfInvalid(options);

        act.Should().Throw<QuotaConfigurationException>().Which.Problems.Should().HaveCount(2)
            .And.Contain(p => p.Contains("reserved SQL word", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("images_generated", "images_generated")]
    [InlineData("", "voice_seconds")]
    [InlineData("default", "voice_seconds")]
    public void Configuration_sets_the_column_or_derives_it(string value, string expected)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["QuotaKit:Features:voice-seconds:Period"] = "day",
            ["QuotaKit:Features:voice-seconds:Column"] = value,
        }).Build().GetSection("QuotaKit");
        var options = new QuotaKitOptions();

        QuotaKitConfigurationBinder.Bind(section, options);

        options.BindingProblems.Should().BeEmpty();
        options.Features["voice-seconds"].ColumnName.Should().Be(expected);
    }
}
