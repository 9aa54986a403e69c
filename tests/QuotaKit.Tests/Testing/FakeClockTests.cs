using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Testing;

public class FakeClockTests
{
    private static readonly Instant Start = Instant.FromUtc(2025, 4, 5, 12, 0);

    [Fact]
    public void It_reads_the_initial_instant_until_changed()
    {
        var clock = new FakeClock(Start);

        clock.GetCurrentInstant().Should().Be(Start);
        clock.GetCurrentInstant().Should().Be(Start);
    }

    [Fact]
    public void Advance_moves_forward_and_back_and_returns_the_new_instant()
    {
        var clock = new FakeClock(Start);

        clock.Advance(Duration.FromMinutes(90)).Should().Be(Instant.FromUtc(2025, 4, 5, 13, 30));
        clock.Advance(Duration.FromHours(-2)).Should().Be(Instant.FromUtc(2025, 4, 5, 11, 30));
        clock.GetCurrentInstant().Should().Be(Instant.FromUtc(2025, 4, 5, 11, 30));
    }

    [Fact]
    public void SetTo_jumps_to_any_instant()
    {
        var clock = new FakeClock(Start);

        clock.SetTo(Instant.FromUtc(2000, 1, 1, 0, 0));

        clock.GetCurrentInstant().Should().Be(Instant.FromUtc(2000, 1, 1, 0, 0));
    }

    [Fact]
    public async Task Concurrent_advances_are_not_lost()
    {
        var clock = new FakeClock(Start);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                clock.Advance(Duration.FromTicks(1));
            }
        })));

        clock.GetCurrentInstant().Should().Be(Start + Duration.FromTicks(8000));
    }
}
