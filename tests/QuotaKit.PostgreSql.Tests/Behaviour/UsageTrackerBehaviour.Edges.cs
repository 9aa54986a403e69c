using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// Input at the edges: instants at the ends of the range QuotaKit stores (periods between 0001-01-01 and 9999-12-31
/// UTC), counters near <see cref="long.MaxValue"/>, and metadata whose text looks like a NUL but is not one.
/// </summary>
public abstract partial class UsageTrackerBehaviour
{
    private static readonly Instant LastStorableDay = Instant.FromUtc(9999, 12, 30, 12, 0); // day ends 9999-12-31T00:00Z

    [Theory]
    [InlineData("min")]
    [InlineData("max")]
    [InlineData("last day")]
    [InlineData("first day west")]
    public async Task A_write_outside_the_storable_range_is_refused_naming_the_range_and_writes_nothing(string edge)
    {
        var at = edge switch
        {
            "min" => Instant.MinValue,
            "max" => Instant.MaxValue,
            "last day" => Instant.FromUtc(9999, 12, 31, 12, 0), // its day would end in the year 10000
            _ => Instant.FromUtc(1, 1, 1, 1, 0), // in UTC-03:00 its day starts on 0000-12-31
        };
        if (edge == "first day west")
        {
            await Admin.SetTimeZoneAsync(Subject, "America/Sao_Paulo");
        }

        var write = () => ConsumeAsync("images", 1, new UsageOptions { At = at });

        (await write.Should().ThrowAsync<PeriodOutOfRangeException>()).Which.Message
            .Should().Contain("'images'").And.Contain("0001-01-01T00:00:00Z").And.Contain("9999-12-31T00:00:00Z");
        (await Tracker.GetHistoryAsync(Subject, "images", Instant.MinValue, Instant.MaxValue)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_last_and_first_storable_days_are_written_and_read_back()
    {
        var last = await ConsumeAsync("images", 1, new UsageOptions { At = LastStorableDay });
        var first = await ConsumeAsync("images", 2, new UsageOptions { At = Instant.FromUtc(1, 1, 1, 12, 0) });

        last.Period.Should().Be(new UsagePeriod(Instant.FromUtc(9999, 12, 30, 0, 0), Instant.FromUtc(9999, 12, 31, 0, 0)));
        first.Period.Should().Be(new UsagePeriod(Instant.FromUtc(1, 1, 1, 0, 0), Instant.FromUtc(1, 1, 2, 0, 0)));
        (await Tracker.GetHistoryAsync(Subject, "images", Instant.MinValue, Instant.MaxValue)).Select(h => (h.Period, h.Used))
            .Should().Equal((first.Period, 2L), (last.Period, 1L));
    }

    [Fact]
    public async Task Reads_at_an_unstorable_instant_are_refused_with_the_range_and_history_over_all_time_works()
    {
        await ConsumeAsync("images");

        var check = () => Tracker.CheckAsync(Subject, "images", 1, Instant.MaxValue);
        var usage = () => Tracker.GetUsageAsync(Subject, Instant.MinValue);
        var history = await Tracker.GetHistoryAsync(Subject, "images", Instant.MinValue, Instant.MaxValue);

        await check.Should().ThrowAsync<PeriodOutOfRangeException>();
        await usage.Should().ThrowAsync<PeriodOutOfRangeException>();
        history.Select(h => (h.Period, h.Used)).Should().Equal((MondayUtc, 1L));
        (await Tracker.GetHistoryAsync(Subject, "images", Instant.FromUtc(9999, 12, 31, 6, 0), Instant.MaxValue)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_counter_metered_to_the_largest_number_still_answers_consumes_and_checks()
    {
        // Metering is never refused by a hard limit, so the counter may hold long.MaxValue; it may not pass it.
        var metered = await Tracker.IncrementAsync(Subject, "images", long.MaxValue);

        var consume = await ConsumeAsync("images");
        var check = await Tracker.CheckAsync(Subject, "images", long.MaxValue);
        var overflow = () => Tracker.IncrementAsync(Subject, "images", 1);

        (metered.Used, metered.HardLimitExceeded).Should().Be((long.MaxValue, true));
        (consume.Outcome, consume.Used).Should().Be((UsageOutcome.LimitExceeded, long.MaxValue));
        (check.Outcome, check.Used).Should().Be((UsageOutcome.LimitExceeded, long.MaxValue));
        (await overflow.Should().ThrowAsync<InvalidAmountException>()).Which.Message.Should().Contain("9223372036854775807");
        (await UsedAsync("images")).Should().Be(long.MaxValue);
    }

    [Fact]
    public async Task A_check_on_an_unlimited_counter_that_cannot_hold_the_amount_answers_limit_exceeded()
    {
        await Tracker.IncrementAsync(Subject, "exports", long.MaxValue - 1);

        var check = await Tracker.CheckAsync(Subject, "exports", 2);
        var fits = await Tracker.CheckAsync(Subject, "exports", 1);

        check.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        fits.Outcome.Should().Be(UsageOutcome.Allowed);
    }

    [Fact]
    public async Task Metadata_with_an_escaped_backslash_before_u0000_is_accepted_but_a_real_NUL_is_not()
    {
        var escapedBackslash = await ConsumeAsync("images", 1, new UsageOptions { MetadataJson = """{"path":"C:\\u0000dir"}""" });
        var realNul = () => ConsumeAsync("images", 1, new UsageOptions { MetadataJson = """{"path":"a\u0000b"}""" });
        var nulInName = () => ConsumeAsync("images", 1, new UsageOptions { MetadataJson = """{"a\u0000":1}""" });

        escapedBackslash.Allowed.Should().BeTrue();
        (await realNul.Should().ThrowAsync<InvalidUsageOptionsException>()).Which.Message.Should().Contain("NUL");
        await nulInName.Should().ThrowAsync<InvalidUsageOptionsException>();
        (await UsedAsync("images")).Should().Be(1);
    }
}
