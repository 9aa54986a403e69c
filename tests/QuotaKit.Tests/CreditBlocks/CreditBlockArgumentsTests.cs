using NodaTime;

namespace QuotaKit.Tests.CreditBlocks;

/// <summary><see cref="CreditBlockArguments"/>: the window and the reason of a new credit block, at their edges.</summary>
public class CreditBlockArgumentsTests
{
    private static readonly Instant Min = Instant.FromUtc(1, 1, 1, 0, 0);
    private static readonly Instant Max = PeriodPolicy.LifetimeEnd;
    private static readonly Instant Monday = Instant.FromUtc(2025, 3, 10, 9, 0);

    [Fact]
    public void A_window_from_the_first_supported_instant_to_the_last_is_accepted()
    {
        var check = () => CreditBlockArguments.ValidateWindow(Min, Max);

        check.Should().NotThrow();
    }

    [Fact]
    public void A_start_before_the_supported_instants_is_refused_and_named()
    {
        var check = () => CreditBlockArguments.ValidateWindow(Min - Duration.Epsilon, null);

        check.Should().Throw<ArgumentException>().WithParameterName("validFrom")
            .WithMessage("*outside the supported instants [0001-01-01T00:00:00Z, 9999-12-31T00:00:00Z)*");
    }

    [Fact]
    public void A_start_at_the_end_of_the_supported_instants_is_refused()
    {
        var check = () => CreditBlockArguments.ValidateWindow(Max, null);

        check.Should().Throw<ArgumentException>().WithParameterName("validFrom");
    }

    [Fact]
    public void An_end_past_the_supported_instants_is_refused_with_the_way_out()
    {
        var check = () => CreditBlockArguments.ValidateWindow(Monday, Max + Duration.Epsilon);

        check.Should().Throw<ArgumentException>().WithParameterName("validUntil").WithMessage("*past the supported instants; pass null*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_empty_window_is_refused_and_named_empty(long nanosecondsAfterStart)
    {
        var check = () => CreditBlockArguments.ValidateWindow(Monday, Monday + Duration.FromNanoseconds(nanosecondsAfterStart));

        check.Should().Throw<ArgumentException>().WithParameterName("validUntil").WithMessage("*is empty: validUntil must be after validFrom*");
    }

    [Fact]
    public void A_window_one_instant_long_is_accepted()
    {
        var check = () => CreditBlockArguments.ValidateWindow(Monday, Monday + Duration.Epsilon);

        check.Should().NotThrow();
    }

    [Fact]
    public void A_reason_of_the_longest_kept_length_is_accepted_and_one_more_character_is_refused()
    {
        var longest = () => CreditBlockArguments.ValidateReason(new string('r', CreditBlock.MaxReasonLength));
        var tooLong = () => CreditBlockArguments.ValidateReason(new string('r', CreditBlock.MaxReasonLength + 1));

        longest.Should().NotThrow();
        tooLong.Should().Throw<ArgumentException>().WithParameterName("reason").WithMessage("*257 characters; at most 256*");
    }

    [Fact]
    public void Balances_add_up_and_stop_at_the_largest_number_instead_of_overflowing()
    {
        (CreditBalances.Add(2, 3), CreditBalances.Add(long.MaxValue, 1), CreditBalances.Add(1, long.MaxValue))
            .Should().Be((5L, long.MaxValue, long.MaxValue));
    }
}
