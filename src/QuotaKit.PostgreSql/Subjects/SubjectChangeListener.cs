using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Listens on <see cref="QuotaKitSubjectChanges.Channel"/> with a dedicated connection and publishes every notified
/// subject on the <see cref="SubjectChangeFeed"/>, which evicts it from this instance's cache. Reconnects after any
/// failure (server restart, terminated session, network loss), backing off from 100 ms to 5 s; while disconnected the
/// feed says so and the cache falls back to short expiry. An idle connection is probed every 15 s, so a silently dead
/// one is noticed (when the probe's reply does not come within the command timeout).
/// </summary>
internal sealed partial class SubjectChangeListener : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);

    private readonly QuotaKitDataSource _dataSource;
    private readonly SubjectChangeFeed _feed;
    private readonly bool _enabled;
    private readonly TimeSpan _probeInterval;
    private readonly ILogger _logger;

    public SubjectChangeListener(
        QuotaKitDataSource dataSource, SubjectChangeFeed feed, IOptions<QuotaKitPostgreSqlOptions> options, ILogger<SubjectChangeListener>? logger = null)
    {
        _dataSource = dataSource;
        _feed = feed;
        _enabled = options.Value.ListenForSubjectChanges;
        _probeInterval = options.Value.SubjectListenerProbeInterval;
        _logger = logger ?? NullLogger<SubjectChangeListener>.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }

        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stryker disable once Statement : equivalent. The loop's condition checks the same token at once.
                break;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // A session that was up starts the back-off again; failures in a row double it, up to the longest.
                if (_feed.IsConnected)
                {
                    delay = FirstRetryDelay;
                }

                _feed.Disconnect();
                LogLost(exception, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stryker disable once Statement : equivalent. The loop's condition checks the same token at once.
                    break;
                }

                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, LongestRetryDelay.TotalMilliseconds));
            }
        }

        _feed.Disconnect();
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var connection = await _dataSource.OpenListenerConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += OnNotification;
            await using (var listen = new NpgsqlCommand($"LISTEN {QuotaKitSubjectChanges.Channel}", connection))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
            }

            // Only now are changes pushed: whatever was cached before may have changed unseen, and Connect evicts it.
            _feed.Connect();
            LogListening();
            while (true)
            {
                if (!await connection.WaitAsync(_probeInterval, stoppingToken).ConfigureAwait(false))
                {
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification) => _feed.Publish(notification.Payload);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for subject changes: cached subjects are evicted as soon as any instance changes them")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Subject-change listener lost its connection; cached subjects now expire after SubjectCacheDuration. Reconnecting in {DelayMs} ms")]
    private partial void LogLost(Exception exception, double delayMs);
}
