namespace QuotaKit;

/// <summary>
/// Receives threshold alerts. Delivery: in-process, after the usage write committed, once per subject, feature, period
/// and threshold (the crossing is detected by the same atomic statement that crossed it). A handler that throws is
/// logged and does not affect the usage call or other handlers; the caller's cancellation does not stop delivery (the
/// handler gets <see cref="CancellationToken.None"/>). If the process dies between commit and delivery the alert is not
/// delivered (at-most-once).
/// </summary>
public interface IQuotaAlertHandler
{
    /// <summary>Handles one alert.</summary>
    Task HandleAsync(QuotaAlert alert, CancellationToken cancellationToken);
}
