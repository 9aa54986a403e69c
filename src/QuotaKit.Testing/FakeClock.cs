using NodaTime;

namespace QuotaKit.Testing;

/// <summary>
/// A clock that only moves when told to, for tests of period boundaries and time-dependent behaviour. Thread-safe:
/// every read and change is atomic.
/// </summary>
public sealed class FakeClock : IClock
{
    private readonly Lock _gate = new();
    private Instant _now;

    /// <summary>Creates a clock that reads <paramref name="initial"/> until it is advanced or set.</summary>
    public FakeClock(Instant initial)
    {
        _now = initial;
    }

    /// <summary>Moves the clock by <paramref name="duration"/> (a negative duration moves it back) and returns the new instant.</summary>
    public Instant Advance(Duration duration)
    {
        lock (_gate)
        {
            _now += duration;
            return _now;
        }
    }

    /// <summary>Sets the clock to <paramref name="instant"/>, earlier or later than now.</summary>
    public void SetTo(Instant instant)
    {
        lock (_gate)
        {
            _now = instant;
        }
    }

    /// <inheritdoc />
    public Instant GetCurrentInstant()
    {
        lock (_gate)
        {
            return _now;
        }
    }
}
