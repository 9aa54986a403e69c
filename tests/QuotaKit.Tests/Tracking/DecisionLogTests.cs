using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>What the tracker logs about each decision, and that it checks a gauge's subject before its feature.</summary>
public sealed class DecisionLogTests
{
    [Fact]
    public async Task Each_decision_is_logged_at_debug_with_the_operation_subject_feature_outcome_and_usage()
    {
        var logs = new RecordingLoggerProvider();
        await using var services = Services(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var tracker = services.GetRequiredService<IUsageTracker>();

        await tracker.TryConsumeAsync("log-subject", "images", 3);
        await tracker.TryConsumeAsync("log-subject", "images", 3); // refused: 3 + 3 > 5

        // The facts an operator searches for, not the wording: operation, amount, feature, subject, outcome.
        var decisions = logs.Entries.Where(e => e.Category == typeof(UsageTracker).FullName).ToList();
        decisions.Should().HaveCount(2).And.OnlyContain(e => e.Level == LogLevel.Debug);
        decisions[0].Message.Should().ContainAll("consume", "3", "images", "log-subject", nameof(UsageOutcome.Allowed));
        decisions[1].Message.Should().ContainAll("consume", "3", "images", "log-subject", nameof(UsageOutcome.LimitExceeded));
    }

    [Fact]
    public async Task Each_settlement_is_logged_at_debug_with_the_reservation_its_state_and_what_it_committed()
    {
        var logs = new RecordingLoggerProvider();
        await using var services = Services(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var reservations = services.GetRequiredService<IUsageReservations>();
        var committed = (await reservations.ReserveAsync("log-subject", "images", 3, Duration.FromMinutes(5))).Reservation!;
        var released = (await reservations.ReserveAsync("log-subject", "images", 1, Duration.FromMinutes(5))).Reservation!;

        await reservations.CommitAsync(committed, 2);
        await reservations.ReleaseAsync(released);

        var settlements = logs.Entries
            .Where(e => e.Category == typeof(UsageTracker).FullName && e.Message.Contains("of reservation", StringComparison.Ordinal))
            .ToList();
        settlements.Should().HaveCount(2).And.OnlyContain(e => e.Level == LogLevel.Debug);
        settlements[0].Message.Should().ContainAll("commit", committed.Id.ToString(), "images", "log-subject", nameof(ReservationState.Committed), "2");
        settlements[1].Message.Should().ContainAll("release", released.Id.ToString(), nameof(ReservationState.Released));
    }

    [Fact]
    public async Task A_gauge_set_for_an_invalid_subject_is_refused_for_its_subject_before_its_feature_is_looked_up()
    {
        // One order of checks for every call (docs/architecture.md): the subject first, then the feature.
        await using var services = Services(_ => { });

        var act = () => services.GetRequiredService<IUsageTracker>().SetGaugeAsync(" ", "no_such_feature", 1);

        await act.Should().ThrowAsync<InvalidSubjectException>();
    }

    private static ServiceProvider Services(Action<ILoggingBuilder> logging) =>
        new ServiceCollection()
            .AddLogging(logging)
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Instant.FromUtc(2025, 3, 10, 9, 0)))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
}
