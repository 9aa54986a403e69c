using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Tracking;

/// <summary>
/// Alert delivery after the write committed (the core's AlertDispatcher, the same for every store; in memory here): each
/// alert is logged, and a handler that throws is logged and skipped without failing the call or starving the others.
/// </summary>
public class AlertDeliveryTests
{
    [Fact]
    public async Task A_failing_alert_handler_is_logged_and_skipped_and_the_others_and_the_call_are_unaffected()
    {
        var logs = new RecordingLoggerProvider();
        await using var underTest = TrackerUnderTest.Build(
            q => q
                .AddFeature("quota", PeriodPolicy.Day)
                .AddPlan("only", p => p.Limit("quota", 10))
                .UseDefaultPlan("only")
                .UseInMemoryStore()
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0))),
            services =>
            {
                // First in line, so the recording handler after it proves the loop goes on.
                services.Insert(0, ServiceDescriptor.Singleton<IQuotaAlertHandler>(new FailingHandler()));
                services.AddLogging(logging => logging.AddProvider(logs));
            });

        var decision = await underTest.Tracker.TryConsumeAsync("subject-1", "quota", 8); // 80%

        decision.Allowed.Should().BeTrue();
        decision.Used.Should().Be(8);
        underTest.Alerts.Should().ContainSingle().Which.ThresholdPercent.Should().Be(80);
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Information && e.Message == "Quota alert: subject subject-1 reached 80% of quota (8 of 10)");
        logs.Errors.Should().ContainSingle().Which.Message.Should().Be("Alert handler FailingHandler failed for subject subject-1, feature quota, threshold 80%");
    }

    private sealed class FailingHandler : IQuotaAlertHandler
    {
        public Task HandleAsync(QuotaAlert alert, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The handler's own bug.");
    }
}
