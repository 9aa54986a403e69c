using System.Collections.Concurrent;

namespace QuotaKit.Samples.Console;

/// <summary>The alerts delivered during the run, in delivery order.</summary>
internal sealed class AlertLog
{
    private readonly ConcurrentQueue<QuotaAlert> _alerts = new();

    public IReadOnlyList<QuotaAlert> Alerts => _alerts.ToArray();

    public void Add(QuotaAlert alert) => _alerts.Enqueue(alert);
}
