using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace QuotaKit;

/// <summary>Delivers alerts to every registered handler after the write committed; a failing handler is logged and skipped.</summary>
internal sealed partial class AlertDispatcher
{
    private readonly IQuotaAlertHandler[] _handlers;
    private readonly ILogger<AlertDispatcher> _logger;

    public AlertDispatcher(IEnumerable<IQuotaAlertHandler> handlers, ILogger<AlertDispatcher>? logger = null)
    {
        _handlers = handlers.ToArray();
        _logger = logger ?? NullLogger<AlertDispatcher>.Instance;
    }

    /// <summary>
    /// Delivers <paramref name="alert"/>. Called after the write committed, so the caller's cancellation token is not
    /// passed on: a cancelled call whose write landed still delivers its alerts (the threshold is already recorded and
    /// would never fire again).
    /// </summary>
    public async Task DispatchAsync(QuotaAlert alert)
    {
        LogAlert(alert.SubjectId, alert.FeatureKey, alert.ThresholdPercent, alert.Used, alert.Limit);
        foreach (var handler in _handlers)
        {
            try
            {
                await handler.HandleAsync(alert, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                LogHandlerFailed(exception, handler.GetType().Name, alert.SubjectId, alert.FeatureKey, alert.ThresholdPercent);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota alert: subject {SubjectId} reached {ThresholdPercent}% of {FeatureKey} ({Used} of {Limit})")]
    private partial void LogAlert(string subjectId, string featureKey, int thresholdPercent, long used, FeatureLimit limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert handler {Handler} failed for subject {SubjectId}, feature {FeatureKey}, threshold {ThresholdPercent}%")]
    private partial void LogHandlerFailed(Exception exception, string handler, string subjectId, string featureKey, int thresholdPercent);
}
