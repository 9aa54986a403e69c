using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// The edges of what the tracker accepts (README: subject ids of 1 to 256 characters, idempotency keys of 1 to 200),
/// and that bad input is refused with a message naming the problem.
/// </summary>
public sealed class InputBoundaryTests : IAsyncDisposable
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddQuotaKit(q => q
            .AddFeature("events", PeriodPolicy.Day)
            .AddFeature("seats", PeriodPolicy.Lifetime, f => f.Aggregation = FeatureAggregation.Last)
            .AddFeature("voice", PeriodPolicy.Day)
            .AddPlan("free", p => p.Unlimited("events").Limit("seats", 10).SoftLimit("voice", 5))
            .UseDefaultPlan("free")
            .UseClock(new FakeClock(Now))
            .UseInMemoryStore())
        .Services.BuildServiceProvider();

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task A_subject_id_of_256_characters_is_accepted_and_one_of_257_is_refused_naming_the_limit()
    {
        (await Tracker.IncrementAsync(new string('s', 256), "events")).Used.Should().Be(1);

        var tooLong = () => Tracker.IncrementAsync(new string('s', 257), "events");

        (await tooLong.Should().ThrowAsync<InvalidSubjectException>()).Which.Message.Should().ContainAll("257", "256");
    }

    [Fact]
    public async Task An_idempotency_key_of_200_characters_is_accepted_and_one_of_201_is_refused_naming_the_limit()
    {
        (await Tracker.IncrementAsync("keyed", "events", 1, UsageOptions.WithIdempotencyKey(new string('k', 200)))).Used.Should().Be(1);

        var tooLong = () => Tracker.IncrementAsync("keyed", "events", 1, UsageOptions.WithIdempotencyKey(new string('k', 201)));

        (await tooLong.Should().ThrowAsync<InvalidUsageOptionsException>()).Which.Message.Should().Contain("200");
    }

    [Fact]
    public async Task A_grant_whose_window_ends_where_it_starts_is_refused_as_empty_and_one_a_tick_longer_is_accepted()
    {
        var administration = _services.GetRequiredService<IQuotaAdministration>();

        var empty = () => administration.AddGrantAsync("granted", "voice", 5, Now, Now);

        var refusal = (await empty.Should().ThrowAsync<ArgumentException>()).Which;
        refusal.ParamName.Should().Be("validUntil");
        refusal.Message.Should().Contain("is empty");
        await administration.AddGrantAsync("granted", "voice", 5, Now, Now + Duration.Epsilon);
        (await administration.GetSubjectAsync("granted")).Grants.Should().ContainSingle();
    }

    [Fact]
    public async Task Usage_at_a_soft_limit_has_not_exceeded_it_and_usage_past_it_has()
    {
        var atLimit = await Tracker.TryConsumeAsync("soft", "voice", 5);
        var past = await Tracker.TryConsumeAsync("soft", "voice", 1);

        (atLimit.Allowed, atLimit.SoftLimitExceeded).Should().Be((true, false));
        (past.Allowed, past.SoftLimitExceeded).Should().Be((true, true));
    }

    [Fact]
    public async Task A_subject_id_with_a_surrogate_pair_after_other_characters_is_accepted()
    {
        // An emoji is one pair of UTF-16 code units; only a surrogate without its partner is invalid Unicode.
        (await Tracker.IncrementAsync("user-😀", "events")).SubjectId.Should().Be("user-😀");
    }

    [Fact]
    public async Task Metadata_with_surrogate_pairs_in_names_values_and_arrays_is_accepted()
    {
        // An emoji is a valid surrogate pair; only an unpaired surrogate is invalid Unicode.
        var options = new UsageOptions { MetadataJson = """{"😀": ["ok", "😀"], "nested": {"k": "x😀y"}}""" };

        (await Tracker.IncrementAsync("meta", "events", 1, options)).Used.Should().Be(1);
    }

    public static TheoryData<string, Func<IUsageTracker, Task>, Type, string> BadInputs() => new()
    {
        { "an empty subject", t => t.IncrementAsync(" ", "events"), typeof(InvalidSubjectException), "empty" },
        { "a subject with a NUL", t => t.IncrementAsync("a\0b", "events"), typeof(InvalidSubjectException), "contains a NUL" },
        { "a subject with an unpaired surrogate", t => t.IncrementAsync("a\ud800b", "events"), typeof(InvalidSubjectException), "unpaired" },
        { "a subject with a lone low surrogate", t => t.IncrementAsync("a\udc00", "events"), typeof(InvalidSubjectException), "unpaired" },
        { "a subject ending in a high surrogate", t => t.IncrementAsync("a\ud800", "events"), typeof(InvalidSubjectException), "unpaired" },
        { "a zero amount", t => t.IncrementAsync("s", "events", 0), typeof(InvalidAmountException), "positive" },
        { "a negative gauge", t => t.SetGaugeAsync("s", "seats", -1), typeof(InvalidAmountException), "negative" },
        { "metadata that is an array", t => t.IncrementAsync("s", "events", 1, new UsageOptions { MetadataJson = "[1]" }), typeof(InvalidUsageOptionsException), "JSON object" },
        { "metadata that is not JSON", t => t.IncrementAsync("s", "events", 1, new UsageOptions { MetadataJson = "{nope" }), typeof(InvalidUsageOptionsException), "not valid JSON" },
        { "metadata with a NUL in an array", t => t.IncrementAsync("s", "events", 1, new UsageOptions { MetadataJson = """{"a": ["ok", "\u0000"]}""" }), typeof(InvalidUsageOptionsException), "NUL" },
        { "an empty history range", t => t.GetHistoryAsync("s", "events", Now, Now), typeof(ArgumentException), "empty" },
        { "a check by an empty subject of an unknown feature", t => t.CheckAsync(" ", "nope"), typeof(InvalidSubjectException), "empty" },
        { "the usage page of an empty subject", t => t.GetUsageAsync(" "), typeof(InvalidSubjectException), "empty" },
        { "the history of an empty subject of an unknown feature", t => t.GetHistoryAsync(" ", "nope", Now, Now + Duration.FromHours(1)), typeof(InvalidSubjectException), "empty" },
        { "a check of a gauge", t => t.CheckAsync("s", "seats"), typeof(FeatureKindMismatchException), "'check'" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_refused_with_a_message_that_names_the_problem(
        string input, Func<IUsageTracker, Task> call, Type exceptionType, string named)
    {
        var act = () => call(Tracker);

        var refusal = (await act.Should().ThrowAsync<Exception>()).Which;
        refusal.Should().BeOfType(exceptionType, input);
        refusal.Message.Should().Contain(named, input);
    }
}
