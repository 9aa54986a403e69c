using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Behaviour;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// A focused set of the behaviour suite's scenarios, run through the public tracker against whatever
/// <c>quotakit.record_usage</c> the database holds. Each check throws when the function misbehaves. Every check uses
/// subjects of its own, so all of them share one database.
/// </summary>
public static class RecordUsageChecks
{
    private static readonly Instant Monday0900 = Instant.FromUtc(2025, 3, 10, 9, 0);

    public static IReadOnlyList<(string Name, Func<string, Task> Run)> All { get; } =
    [
        .. CreditBlockChecks.All,
        ("hard limit allows up to the limit and denies past it", HardLimitAsync),
        ("a refused first request creates no period", RefusedFirstRequestAsync),
        ("a soft limit lets usage past it", SoftLimitAsync),
        ("refunds, set and raise", GaugesAndRefundsAsync),
        ("a replay applies nothing and answers as the first call", ReplayAsync),
        ("alerts fire once per threshold", AlertsAsync),
        ("re-anchoring closes the earlier period", ReanchoringAsync),
        ("history keeps the limit of the period's last write", LimitOfLastWriteAsync),
        ("racing consumers on an existing counter never overshoot", connection => RaceAsync(connection, counterExists: true)),
        ("racing first requests of a period never overshoot", connection => RaceAsync(connection, counterExists: false)),
        ("first requests that wait on a new period's row all count", WaitingFirstRequestsAsync),
        ("a plan stored or changed elsewhere decides the next write", ChangedSubjectAsync),
        ("a subject row deleted by hand is not taken for a subject with nothing stored", DeletedSubjectRowAsync),
        ("holds count until their expiry, single and batched writes give expired ones back", HoldExpiryAsync),
        ("commit and release settle a hold once", SettleOnceAsync),
        ("concurrent commits of one reservation apply once", ConcurrentCommitsAsync),
    ];

    private static async Task HoldExpiryAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        var minute = Duration.FromMinutes(1);
        await host.Reservations.ReserveAsync("expiry", "images", 3, minute);
        await host.Reservations.ReserveAsync("expiry-batched", "images", 3, minute);
        await host.Tracker.TryConsumeAsync("expiry-refused", "images");
        var refused = await host.Reservations.ReserveAsync("expiry-refused", "images", 3, minute);
        await host.Tracker.TryConsumeAsync("expiry-replayed", "images");
        await host.Reservations.ReserveAsync("expiry-replayed", "images", 2, minute, UsageOptions.WithIdempotencyKey("r"));
        await host.Reservations.ReserveAsync("expiry-replayed", "images", 2, minute, UsageOptions.WithIdempotencyKey("r"));
        var meter = host.Services.GetRequiredService<IUsageMeter>();

        clock.SetTo(Monday0900 + minute - Duration.FromMilliseconds(1));
        var before = await host.Tracker.TryConsumeAsync("expiry", "images");
        clock.SetTo(Monday0900 + minute);
        var at = await host.Tracker.TryConsumeAsync("expiry", "images", 3);
        var batched = await meter.RecordAsync([new UsageRecord("expiry-batched", "images", 1)]);
        var afterRefused = await host.Tracker.TryConsumeAsync("expiry-refused", "images");
        var afterReplayed = await host.Tracker.TryConsumeAsync("expiry-replayed", "images");

        (before.Outcome, before.Used).Should().Be((UsageOutcome.LimitExceeded, 3L), "a hold counts until its expiry");
        (at.Outcome, at.Used).Should().Be((UsageOutcome.Allowed, 3L), "at its expiry it is given back before the write");
        batched[0].Decision!.Used.Should().Be(1, "a batched write gives expired holds back too");
        refused.Granted.Should().BeFalse();
        afterRefused.Used.Should().Be(2, "a refused reservation held nothing, so its expiry gives nothing back");
        afterReplayed.Used.Should().Be(2, "the replay held nothing: one hold of 2 expired, the consumed unit stays");
    }

    private static async Task SettleOnceAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        var hour = Duration.FromHours(1);
        var committed = (await host.Reservations.ReserveAsync("settle", "api_calls", 2, hour)).Reservation!;
        var first = await host.Reservations.CommitAsync(committed, 9);
        var again = await host.Reservations.CommitAsync(committed, 9);
        await host.Tracker.TryConsumeAsync("settle-release", "api_calls");
        var released = (await host.Reservations.ReserveAsync("settle-release", "api_calls", 2, hour)).Reservation!;
        await host.Reservations.ReleaseAsync(released);
        var releasedAgain = await host.Reservations.ReleaseAsync(released);
        var late = (await host.Reservations.ReserveAsync("settle-late", "images", 2, hour)).Reservation!;

        // 9 of 10 reached 80% at the commit; the next unit reaches 100% and only that is new, if the commit stored its level.
        var next = await host.Tracker.TryConsumeAsync("settle", "api_calls");
        clock.SetTo(Monday0900 + hour);
        var lateCommit = await host.Reservations.CommitAsync(late, 2);

        (first.Used, again.Used, again.WasAlreadySettled).Should().Be((9L, 9L, true), "the hold of 2 became 9, once");
        next.Used.Should().Be(10);
        releasedAgain.Used.Should().Be(1, "the hold of 2 was given back once");
        host.Alerts.Where(a => a.SubjectId == "settle").Select(a => (a.ThresholdPercent, a.Used)).Should().Equal([(80, 9L), (100, 10L)]);
        (lateCommit.State, lateCommit.Used).Should().Be((ReservationState.Expired, 0L), "a commit after the expiry records nothing");
    }

    private static async Task ConcurrentCommitsAsync(string connectionString)
    {
        const int Committers = 16;
        await using var host = Host(connectionString, out _);
        await Task.WhenAll(Enumerable.Range(0, Committers).Select(i => host.Tracker.GetUsageAsync($"warm-up-{i}")));
        for (var round = 0; round < 5; round++)
        {
            var subject = $"commit-race-{round}";
            var reservation = (await host.Reservations.ReserveAsync(subject, "api_calls", 5, Duration.FromHours(1))).Reservation!;
            var gate = new StartingGate(Committers);
            var settlements = await Task.WhenAll(Enumerable.Range(0, Committers).Select(_ => Task.Run(async () =>
            {
                await gate.ArriveAndWaitAsync();
                return await host.Reservations.CommitAsync(reservation, 2);
            })));

            settlements.Count(s => !s.WasAlreadySettled).Should().Be(1, subject);
            (await UsedAsync(host, subject, "api_calls")).Should().Be(2, subject);
        }
    }

    private static async Task ChangedSubjectAsync(string connectionString)
    {
        await using var a = Host(connectionString, out _);
        await using var b = Host(connectionString, out _);

        // B has not cached the subject and guesses the defaults (free: 3 images); the stored plan must decide.
        await a.Admin.SetPlanAsync("changed-plan", "pro");
        var guessed = await b.Tracker.TryConsumeAsync("changed-plan", "images", 4);

        // B has it cached now; A's downgrade must decide B's next write.
        await a.Admin.SetPlanAsync("changed-plan", "free");
        var downgraded = await b.Tracker.TryConsumeAsync("changed-plan", "images");

        (guessed.Outcome, guessed.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(100)));
        (downgraded.Outcome, downgraded.Used, downgraded.Limit).Should().Be((UsageOutcome.LimitExceeded, 4L, FeatureLimit.Hard(3)));
    }

    /// <summary>
    /// Only a hand-written DELETE removes a subject's row while its override or grant remains. The write must not take
    /// the subject for one with nothing stored (version 0, what an instance guesses for a subject it has not cached):
    /// the override or grant still decides.
    /// </summary>
    private static async Task DeletedSubjectRowAsync(string connectionString)
    {
        await using var a = Host(connectionString, out _);
        await a.Admin.SetOverrideAsync("deleted-row-override", "images", FeatureLimit.Hard(50));
        await a.Admin.AddGrantAsync("deleted-row-grant", "images", 10, Monday0900 - Duration.FromDays(1), Monday0900 + Duration.FromDays(1));
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString))
        await using (var delete = dataSource.CreateCommand(
            "DELETE FROM quotakit.subjects WHERE subject_id IN ('deleted-row-override', 'deleted-row-grant')"))
        {
            (await delete.ExecuteNonQueryAsync()).Should().Be(2);
        }

        // B has cached neither subject: it guesses the defaults (free: 3 images).
        await using var b = Host(connectionString, out _);
        var withOverride = await b.Tracker.TryConsumeAsync("deleted-row-override", "images", 4);
        var withGrant = await b.Tracker.TryConsumeAsync("deleted-row-grant", "images", 4);

        (withOverride.Outcome, withOverride.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(50)));
        (withGrant.Outcome, withGrant.Limit).Should().Be((UsageOutcome.Allowed, FeatureLimit.Hard(13)));
    }

    private static async Task HardLimitAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        var whole = await host.Tracker.TryConsumeAsync("hard-whole", "images", 3); // the whole limit on an empty counter
        var first = await host.Tracker.TryConsumeAsync("hard", "images", 2);
        var third = await host.Tracker.TryConsumeAsync("hard", "images");
        var fourth = await host.Tracker.TryConsumeAsync("hard", "images");

        (whole.Allowed, whole.Used).Should().Be((true, 3L));
        (await UsedAsync(host, "hard-whole", "images")).Should().Be(3, "the allowed units are stored");
        (first.Allowed, first.Used).Should().Be((true, 2L));
        (third.Allowed, third.Used).Should().Be((true, 3L));
        (fourth.Outcome, fourth.Used).Should().Be((UsageOutcome.LimitExceeded, 3L));
        (await UsedAsync(host, "hard", "images")).Should().Be(3);
    }

    private static async Task RefusedFirstRequestAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        var refused = await host.Tracker.TryConsumeAsync("refused", "images", 4);

        (refused.Outcome, refused.Used).Should().Be((UsageOutcome.LimitExceeded, 0L));
        (await host.Tracker.GetHistoryAsync("refused", "images", Monday0900 - Duration.FromDays(1), Monday0900 + Duration.FromDays(1)))
            .Should().BeEmpty("a refused first request stores no period");
    }

    private static async Task SoftLimitAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        var over = await host.Tracker.TryConsumeAsync("soft", "voice_seconds", 700);

        (over.Allowed, over.Used, over.SoftLimitExceeded).Should().Be((true, 700L, true));
    }

    private static async Task GaugesAndRefundsAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        await host.Tracker.TryConsumeAsync("gauges", "images", 2);
        var refund = await host.Tracker.RefundAsync("gauges", "images", 5);
        await host.Tracker.SetGaugeAsync("gauges", "seats", 4);
        var set = await host.Tracker.SetGaugeAsync("gauges", "seats", 2);
        await host.Tracker.SetGaugeAsync("gauges", "storage_peak", 10);
        var raise = await host.Tracker.SetGaugeAsync("gauges", "storage_peak", 5);

        (refund.Used, set.Used, raise.Used).Should().Be((0L, 2L, 10L));
        (await UsedAsync(host, "gauges", "images")).Should().Be(0);
    }

    private static async Task ReplayAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        var first = await host.Tracker.TryConsumeAsync("replay", "images", 1, UsageOptions.WithIdempotencyKey("one"));
        var replay = await host.Tracker.TryConsumeAsync("replay", "images", 1, UsageOptions.WithIdempotencyKey("one"));
        await host.Tracker.TryConsumeAsync("replay", "images", 2);
        var denied = await host.Tracker.TryConsumeAsync("replay", "images", 1, UsageOptions.WithIdempotencyKey("two"));
        await host.Tracker.RefundAsync("replay", "images", 1);
        var deniedAgain = await host.Tracker.TryConsumeAsync("replay", "images", 1, UsageOptions.WithIdempotencyKey("two"));

        (first.Used, first.IsReplay).Should().Be((1L, false));
        (replay.Allowed, replay.Used, replay.IsReplay).Should().Be((true, 1L, true));
        denied.Outcome.Should().Be(UsageOutcome.LimitExceeded);
        (deniedAgain.Outcome, deniedAgain.Used, deniedAgain.IsReplay).Should().Be((UsageOutcome.LimitExceeded, 3L, true));
        (await UsedAsync(host, "replay", "images")).Should().Be(2);
    }

    private static async Task AlertsAsync(string connectionString)
    {
        // api_calls: hard limit 10, thresholds 80% and 100%.
        await using var host = Host(connectionString, out _);
        await host.Tracker.TryConsumeAsync("alerts", "api_calls", 7);
        await host.Tracker.TryConsumeAsync("alerts", "api_calls");    // 80%
        await host.Tracker.TryConsumeAsync("alerts", "api_calls");    // 90%
        await host.Tracker.TryConsumeAsync("alerts", "api_calls");    // exactly 100%
        await host.Tracker.RefundAsync("alerts", "api_calls", 5);
        await host.Tracker.TryConsumeAsync("alerts", "api_calls", 5); // 100% again: already reported

        host.Alerts.Select(a => (a.ThresholdPercent, a.Used)).Should().Equal((80, 8L), (100, 10L));
    }

    private static async Task ReanchoringAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        var january15 = Instant.FromUtc(2025, 1, 15, 0, 0);
        await host.Admin.SetBillingAnchorAsync("anchor", january15);
        await host.Tracker.TryConsumeAsync("anchor", "billed_minutes", 30);
        var change = Monday0900 + Duration.FromHours(1);
        clock.SetTo(change);
        await host.Admin.SetBillingAnchorAsync("anchor", change);
        await host.Tracker.TryConsumeAsync("anchor", "billed_minutes", 5);

        var history = await host.Tracker.GetHistoryAsync("anchor", "billed_minutes", january15, Instant.FromUtc(2025, 5, 1, 0, 0));

        history.Select(h => (h.Period, h.Used)).Should().Equal(
            (new UsagePeriod(Instant.FromUtc(2025, 2, 15, 0, 0), change), 30L),
            (new UsagePeriod(change, Instant.FromUtc(2025, 4, 10, 10, 0)), 5L));
    }

    private static async Task LimitOfLastWriteAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        await host.Tracker.TryConsumeAsync("upgrade", "images", 2); // free: limit 3
        await host.Admin.SetPlanAsync("upgrade", "pro");
        await host.Tracker.TryConsumeAsync("upgrade", "images", 2); // pro: limit 100, same period

        var history = await host.Tracker.GetHistoryAsync("upgrade", "images", Monday0900 - Duration.FromDays(1), Monday0900 + Duration.FromDays(1));

        history.Select(h => (h.Used, h.Limit)).Should().Equal((4L, FeatureLimit.Hard(100)));
    }

    private static async Task RaceAsync(string connectionString, bool counterExists)
    {
        const int Consumers = 32;
        const int AttemptsEach = 4; // 128 attempts for 50 units
        const int Rounds = 5;       // a race on a new counter is decided in its first moments: race several
        await using var host = Host(connectionString, out _);

        // Open a connection per consumer first, so the race is not spread out by connection set-up.
        await Task.WhenAll(Enumerable.Range(0, Consumers).Select(i => host.Tracker.GetUsageAsync($"warm-up-{i}")));

        for (var round = 0; round < Rounds; round++)
        {
            var subject = $"race-{(counterExists ? "existing" : "new")}-{round}";
            await host.Admin.SetOverrideAsync(subject, "images", FeatureLimit.Hard(50));
            if (counterExists)
            {
                await host.Tracker.TryConsumeAsync(subject, "images");
            }

            var gate = new StartingGate(Consumers);
            var allowed = await Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => Task.Run(async () =>
            {
                await gate.ArriveAndWaitAsync();
                var count = 0;
                for (var i = 0; i < AttemptsEach; i++)
                {
                    count += (await host.Tracker.TryConsumeAsync(subject, "images")).Allowed ? 1 : 0;
                }

                return count;
            })));

            allowed.Sum().Should().Be(counterExists ? 49 : 50, subject);
            (await UsedAsync(host, subject, "images")).Should().Be(50, subject);
        }
    }

    /// <summary>
    /// The interleaving a race on a new counter only sometimes produces, forced: the first request of a period has
    /// created the counter row but not committed (it waits on a lock this check holds on the ledger), and a dozen more
    /// requests for the same period arrive, find no row, and wait on the first one's insert. When it commits they all
    /// wake at once and must each count their unit under the row lock.
    /// </summary>
    private static async Task WaitingFirstRequestsAsync(string connectionString)
    {
        const int Waiters = 12;
        await using var host = Host(connectionString, out _);
        var logged = new UsageOptions { MetadataJson = "{}" }; // metadata makes the call write a ledger row after the counter
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);

        // Open a connection per call first, so the calls below only wait where intended.
        await Task.WhenAll(Enumerable.Range(0, Waiters + 1).Select(i => host.Tracker.GetUsageAsync($"warm-up-{i}")));
        for (var round = 0; round < 3; round++)
        {
            var subject = $"waiting-{round}";
            await using var blocker = await dataSource.OpenConnectionAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockLedger = new Npgsql.NpgsqlCommand("LOCK TABLE quotakit.usage_events IN SHARE MODE", blocker, transaction))
            {
                await lockLedger.ExecuteNonQueryAsync();
            }

            var calls = new List<Task<UsageDecision>> { host.Tracker.TryConsumeAsync(subject, "images", 1, logged) };
            await WaitForLockWaitsAsync(dataSource, 1);
            calls.AddRange(Enumerable.Range(0, Waiters).Select(_ => host.Tracker.TryConsumeAsync(subject, "images", 1, logged)));
            await WaitForLockWaitsAsync(dataSource, 1 + Waiters);
            await transaction.CommitAsync();
            var decisions = await Task.WhenAll(calls);

            decisions.Count(d => d.Allowed).Should().Be(3, subject); // the plan's limit
            (await UsedAsync(host, subject, "images")).Should().Be(3, subject);
        }
    }

    private static async Task WaitForLockWaitsAsync(Npgsql.NpgsqlDataSource dataSource, int sessions)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        for (var attempt = 0; attempt < 500; attempt++)
        {
            if ((long)(await command.ExecuteScalarAsync())! >= sessions)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Expected {sessions} sessions waiting on a lock within 10 s.");
    }

    private static async Task<long> UsedAsync(TrackerUnderTest host, string subject, string feature) =>
        (await host.Tracker.GetUsageAsync(subject)).Single(u => u.FeatureKey == feature).Used;

    private static TrackerUnderTest Host(string connectionString, out FakeClock clock)
    {
        var fake = new FakeClock(Monday0900);
        clock = fake;
        return TrackerUnderTest.Build(q =>
        {
            UsageTrackerBehaviour.DeclareCatalog(q);
            q.UseClock(fake).UsePostgreSql(connectionString);
        });
    }
}
