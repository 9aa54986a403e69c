using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>Batched metering (<see cref="IUsageMeter"/>): one result per record, bad records fail alone, keys and alerts as for single calls.</summary>
public abstract partial class UsageTrackerBehaviour
{
    protected IUsageMeter Meter => UnderTest.Services.GetRequiredService<IUsageMeter>();

    [Fact]
    public async Task A_batch_of_mixed_subjects_and_features_answers_each_record_as_a_single_increment_would()
    {
        var other = Subject + "-other";

        var results = await Meter.RecordAsync(
        [
            new(Subject, "images", 2),
            new(other, "images", 5),
            new(Subject, "api_calls", 4),
            new(Subject, "images", 3),   // past the hard limit of 3: metering counts it anyway
            new(Subject, "videos", 1),   // disabled on the free plan: refused
        ]);

        results.Select(r => (r.Index, r.Decision!.SubjectId, r.Decision.FeatureKey, r.Decision.Outcome, r.Decision.Used)).Should().Equal(
            (0, Subject, "images", UsageOutcome.Allowed, 2L),
            (1, other, "images", UsageOutcome.Allowed, 5L),
            (2, Subject, "api_calls", UsageOutcome.Allowed, 4L),
            (3, Subject, "images", UsageOutcome.Allowed, 5L),
            (4, Subject, "videos", UsageOutcome.FeatureDisabled, 0L));
        results[3].Decision!.HardLimitExceeded.Should().BeTrue();
        results[0].Decision!.Period.Should().Be(MondayUtc);
        (await UsedAsync("images")).Should().Be(5);
        (await UsedAsync("api_calls")).Should().Be(4);
        (await Tracker.GetUsageAsync(other)).Single(u => u.FeatureKey == "images").Used.Should().Be(5);
    }

    [Fact]
    public async Task A_bad_record_fails_alone_with_the_exception_the_single_call_throws_and_the_others_are_written()
    {
        var results = await Meter.RecordAsync(
        [
            new(Subject, "images", 1),
            new(Subject, "no_such_feature", 1),
            new("", "images", 1),
            new(Subject, "images", 0),
            new(Subject, "seats", 1),
            new(Subject, "images", 1, new UsageOptions { MetadataJson = "[1]" }),
            new(Subject, "api_calls", 1),
        ]);

        results.Select(r => r.Succeeded).Should().Equal(true, false, false, false, false, false, true);
        results[1].Error.Should().BeOfType<UnknownFeatureException>();
        results[2].Error.Should().BeOfType<InvalidSubjectException>();
        results[3].Error.Should().BeOfType<InvalidAmountException>();
        results[4].Error.Should().BeOfType<FeatureKindMismatchException>();
        results[5].Error.Should().BeOfType<InvalidUsageOptionsException>();
        (await UsedAsync("images")).Should().Be(1);
        (await UsedAsync("api_calls")).Should().Be(1);
    }

    [Fact]
    public async Task Records_of_one_counter_are_decided_in_list_order_across_chunks()
    {
        var count = IUsageMeter.ChunkSize + 500;
        var records = Enumerable.Range(0, count).Select(i => new UsageRecord(Subject, "exports", i + 1)).ToList();

        var results = await Meter.RecordAsync(records);

        // Record i adds i + 1, so the counter after it holds 1 + 2 + ... + (i + 1).
        results.Select(r => r.Decision!.Used).Should().Equal(Enumerable.Range(1, count).Select(i => (long)i * (i + 1) / 2));
        (await UsedAsync("exports")).Should().Be((long)count * (count + 1) / 2);
    }

    [Fact]
    public async Task Two_records_with_the_same_key_in_one_batch_count_once_and_the_second_is_a_replay()
    {
        var results = await Meter.RecordAsync(
        [
            new(Subject, "api_calls", 2, Key("event-1")),
            new(Subject, "api_calls", 2, Key("event-1")),
            new(Subject, "api_calls", 1),
        ]);

        (results[0].Decision!.Used, results[0].Decision!.IsReplay).Should().Be((2L, false));
        (results[1].Decision!.Used, results[1].Decision!.IsReplay).Should().Be((2L, true));
        results[2].Decision!.Used.Should().Be(3);
        (await UsedAsync("api_calls")).Should().Be(3);
    }

    [Fact]
    public async Task A_record_with_a_key_used_before_is_a_replay_and_one_with_another_request_is_a_conflict()
    {
        await Tracker.IncrementAsync(Subject, "api_calls", 2, Key("event-1"));

        var results = await Meter.RecordAsync(
        [
            new(Subject, "api_calls", 2, Key("event-1")),
            new(Subject, "api_calls", 5, Key("event-1")),
            new(Subject, "images", 1, Key("event-2")),
            new(Subject, "api_calls", 1, Key("event-2")),
        ]);

        (results[0].Decision!.Used, results[0].Decision!.IsReplay).Should().Be((2L, true));
        results[1].Error.Should().BeOfType<IdempotencyConflictException>().Which.IdempotencyKey.Should().Be("event-1");
        (results[2].Decision!.Used, results[2].Decision!.IsReplay).Should().Be((1L, false));
        results[3].Error.Should().BeOfType<IdempotencyConflictException>().Which.Message.Should().Contain("api_calls");
        (await UsedAsync("api_calls")).Should().Be(2);
        (await UsedAsync("images")).Should().Be(1);
    }

    [Fact]
    public async Task A_record_that_would_overflow_its_counter_fails_alone_and_releases_its_key_to_the_next_record_with_it()
    {
        await Tracker.IncrementAsync(Subject, "exports", long.MaxValue - 10);

        var results = await Meter.RecordAsync(
        [
            new(Subject, "exports", 20, Key("big")),
            new(Subject, "api_calls", 1),
            new(Subject, "exports", 5, Key("big")),
        ]);

        results[0].Error.Should().BeOfType<InvalidAmountException>();
        results[1].Decision!.Used.Should().Be(1);

        // The first record with the key wrote nothing, so the next one with it is a first call, not its replay.
        (results[2].Decision!.Used, results[2].Decision!.IsReplay).Should().Be((long.MaxValue - 5, false));
        (await UsedAsync("exports")).Should().Be(long.MaxValue - 5);
    }

    [Fact]
    public async Task Alerts_fire_once_per_crossed_threshold_after_a_batch()
    {
        // api_calls: limit 10, thresholds 80% and 100%.
        await Meter.RecordAsync([new(Subject, "api_calls", 7), new(Subject, "api_calls", 1), new(Subject, "api_calls", 1)]);
        await Meter.RecordAsync([new(Subject, "api_calls", 1), new(Subject, "api_calls", 5)]);

        UnderTest.Alerts.Select(a => (a.FeatureKey, a.ThresholdPercent, a.Used)).Should().Equal(
            ("api_calls", 80, 8L), ("api_calls", 100, 10L));
    }

    [Fact]
    public async Task A_batch_that_is_empty_too_large_or_holds_null_is_refused_and_writes_nothing()
    {
        await FluentActions.Awaiting(() => Meter.RecordAsync([])).Should().ThrowAsync<ArgumentOutOfRangeException>();
        var tooMany = Enumerable.Range(0, IUsageMeter.MaxRecords + 1).Select(_ => new UsageRecord(Subject, "exports")).ToList();
        await FluentActions.Awaiting(() => Meter.RecordAsync(tooMany)).Should().ThrowAsync<ArgumentOutOfRangeException>()
            .WithMessage("*1 to 10000 records*");
        await FluentActions.Awaiting(() => Meter.RecordAsync([new(Subject, "exports"), null!])).Should().ThrowAsync<ArgumentNullException>()
            .WithMessage("*Record 1 is null*");

        (await UsedAsync("exports")).Should().Be(0);
    }

    [Fact]
    public async Task A_batch_of_ten_thousand_records_is_accepted()
    {
        var records = Enumerable.Range(0, IUsageMeter.MaxRecords).Select(i => new UsageRecord($"{Subject}-{i % 100}", "exports")).ToList();

        var results = await Meter.RecordAsync(records);

        results.Should().OnlyContain(r => r.Succeeded);
        results[^1].Decision!.Used.Should().Be(IUsageMeter.MaxRecords / 100);
    }
}
