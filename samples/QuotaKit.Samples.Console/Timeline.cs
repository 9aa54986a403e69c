using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Samples.Console;

/// <summary>Actions scheduled at instants; run in time order, with the fake clock set to each action's instant.</summary>
internal sealed class Timeline
{
    private readonly List<(Instant At, int Order, Func<Task> Action)> _actions = [];

    public void At(Instant at, Func<Task> action) => _actions.Add((at, _actions.Count, action));

    public async Task RunAsync(FakeClock clock)
    {
        foreach (var (at, _, action) in _actions.OrderBy(a => a.At).ThenBy(a => a.Order))
        {
            clock.SetTo(at);
            await action();
        }
    }
}
