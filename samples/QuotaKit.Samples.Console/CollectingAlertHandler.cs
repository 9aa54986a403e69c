namespace QuotaKit.Samples.Console;

/// <summary>
/// An alert handler, as an app would write one to send an e-mail or a webhook. QuotaKit calls it in-process after the
/// usage write committed, once per subject, feature, period and threshold.
/// </summary>
internal sealed class CollectingAlertHandler(AlertLog log) : IQuotaAlertHandler
{
    public Task HandleAsync(QuotaAlert alert, CancellationToken cancellationToken)
    {
        log.Add(alert);
        return Task.CompletedTask;
    }
}
