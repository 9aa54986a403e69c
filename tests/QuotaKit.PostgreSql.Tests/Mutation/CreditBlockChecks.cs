using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>
/// The credit-block scenarios of <see cref="RecordUsageChecks"/> (schema version 8), run through the public tracker
/// against whatever functions the database holds. Each throws when a function misbehaves; each uses subjects of its own.
/// "images" has a hard limit of 3 a day on the free plan.
/// </summary>
internal static class CreditBlockChecks
{
    public static IReadOnlyList<(string Name, Func<string, Task> Run)> All { get; } =
    [
        ("blocks burn in burn order and a refund gives back in the reverse order", BurnOrderAsync),
        ("a block burns from the instant its window opens, not at its end", WindowAsync),
        ("a hard limit burns all it needs or nothing, and a first request over the limit burns blocks", AllOrNothingAsync),
        ("a burn writes no credit burns for spent blocks", SpentBlocksAsync),
        ("released and expired holds give back to the blocks, a commit past the hold burns", HoldsAsync),
        ("racing writers of two periods share a block and never burn past it", RaceAsync),
        ("the first write of a period carries the adjacent period's unused plan allowance over, capped", RolloverAsync),
    ];

    private static readonly Instant Monday0900 = Instant.FromUtc(2025, 3, 10, 9, 0);

    private static async Task BurnOrderAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        const string Subject = "cb-order";
        var low = await host.Admin.AddCreditBlockAsync(Subject, "images", 2, priority: 1);
        var endsFirst = await host.Admin.AddCreditBlockAsync(Subject, "images", 2, validUntil: Monday0900 + Duration.FromHours(2));
        var neverEnds = await host.Admin.AddCreditBlockAsync(Subject, "images", 2);

        await host.Tracker.TryConsumeAsync(Subject, "images", 3);          // the plan's 3
        var burning = await host.Tracker.TryConsumeAsync(Subject, "images", 3);
        var afterBurn = await BurnedAsync(host, Subject);
        await host.Tracker.RefundAsync(Subject, "images", 2);
        var afterRefund = await BurnedAsync(host, Subject);

        (burning.Outcome, burning.Used, burning.BlocksBurned, burning.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 6L, 3L, 3L));
        afterBurn.Should().Equal(
            [(endsFirst.Id, 2L), (neverEnds.Id, 1L), (low.Id, 0L)], "priority first, then the block that ends first, never-ending last");
        afterRefund.Should().Equal([(endsFirst.Id, 1L), (neverEnds.Id, 0L), (low.Id, 0L)], "the last burned is given back first");
    }

    private static async Task WindowAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        const string Subject = "cb-window";
        var at = Monday0900 + Duration.FromHours(1);
        var ended = await host.Admin.AddCreditBlockAsync(Subject, "images", 1, validFrom: Monday0900 - Duration.FromHours(1), validUntil: at);
        var opening = await host.Admin.AddCreditBlockAsync(Subject, "images", 1, validFrom: at);
        await host.Tracker.TryConsumeAsync(Subject, "images", 3);

        clock.SetTo(at);
        var decision = await host.Tracker.TryConsumeAsync(Subject, "images");

        (decision.Outcome, decision.BlocksBurned, decision.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 1L, 0L),
            "the block opening at the instant burns; the one ending there is not usable");
        (await BurnedAsync(host, Subject)).Should().BeEquivalentTo([(ended.Id, 0L), (opening.Id, 1L)]);
    }

    private static async Task AllOrNothingAsync(string connectionString)
    {
        await using var host = Host(connectionString, out _);
        var small = await host.Admin.AddCreditBlockAsync("cb-all", "images", 2);
        await host.Tracker.TryConsumeAsync("cb-all", "images", 3);
        var refused = await host.Tracker.TryConsumeAsync("cb-all", "images", 3);

        (refused.Outcome, refused.Used).Should().Be((UsageOutcome.LimitExceeded, 3L));
        (await BurnedAsync(host, "cb-all")).Should().Equal([(small.Id, 0L)], "a refused consume burns nothing");

        var big = await host.Admin.AddCreditBlockAsync("cb-first", "images", 5);
        var first = await host.Tracker.TryConsumeAsync("cb-first", "images", 6);

        (first.Outcome, first.Used, first.BlocksBurned, first.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 6L, 3L, 2L),
            "the plan's 3 and 3 from the block");
        (await BurnedAsync(host, "cb-first")).Should().Equal([(big.Id, 3L)]);
    }

    private static async Task SpentBlocksAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        const string Subject = "cb-spent";
        await host.Admin.AddCreditBlockAsync(Subject, "images", 1);
        await host.Admin.AddCreditBlockAsync(Subject, "images", 5, priority: 1);
        await host.Tracker.TryConsumeAsync(Subject, "images", 4);           // spends the first block
        clock.SetTo(Monday0900 + Duration.FromDays(1));
        var nextDay = await host.Tracker.TryConsumeAsync(Subject, "images", 4);

        (nextDay.Outcome, nextDay.BlocksBurned).Should().Be((UsageOutcome.Allowed, 1L));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM quotakit.credit_burns WHERE subject_id = 'cb-spent' AND units = 0");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0, "a period burns nothing from a spent block");
    }

    private static async Task HoldsAsync(string connectionString)
    {
        await using var host = Host(connectionString, out var clock);
        var minute = Duration.FromMinutes(1);
        var released = await host.Admin.AddCreditBlockAsync("cb-release", "images", 5);
        await host.Tracker.TryConsumeAsync("cb-release", "images", 3);
        var hold = (await host.Reservations.ReserveAsync("cb-release", "images", 2, minute)).Reservation!;
        var whileHeld = await BurnedAsync(host, "cb-release");
        await host.Reservations.ReleaseAsync(hold);

        whileHeld.Should().Equal([(released.Id, 2L)], "a reservation burns like a consume");
        (await BurnedAsync(host, "cb-release")).Should().Equal([(released.Id, 0L)], "a release gives back to the blocks");

        var expired = await host.Admin.AddCreditBlockAsync("cb-expiry", "images", 5);
        await host.Tracker.TryConsumeAsync("cb-expiry", "images", 3);
        await host.Reservations.ReserveAsync("cb-expiry", "images", 2, minute);
        clock.SetTo(Monday0900 + minute);
        var after = await host.Tracker.TryConsumeAsync("cb-expiry", "images");

        (after.Used, after.BlocksBurned).Should().Be((4L, 1L), "the expired hold gave its 2 back to the block first");
        (await BurnedAsync(host, "cb-expiry")).Should().Equal([(expired.Id, 1L)]);

        clock.SetTo(Monday0900);
        var committed = await host.Admin.AddCreditBlockAsync("cb-commit", "images", 5);
        await host.Tracker.TryConsumeAsync("cb-commit", "images", 2);
        var small = (await host.Reservations.ReserveAsync("cb-commit", "images", 1, minute)).Reservation!;
        var settlement = await host.Reservations.CommitAsync(small, 3);

        (settlement.Used, settlement.BlocksBurned).Should().Be((5L, 2L), "the 2 past the hold and the plan burn the block");
        (await BurnedAsync(host, "cb-commit")).Should().Equal([(committed.Id, 2L)]);
    }

    /// <summary>
    /// Writers of two periods of one feature lock two counters but the same blocks: only the blocks' locks (taken in burn
    /// order) keep them from burning the same units twice. 16 callers consume one unit each, four times, half of them
    /// in yesterday's period, against the plan's 3 a day and one block of 20: exactly 26 are allowed, the block is spent.
    /// </summary>
    private static async Task RaceAsync(string connectionString)
    {
        const int Callers = 16;
        const int AttemptsEach = 4;
        await using var host = Host(connectionString, out _);
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => host.Tracker.GetUsageAsync($"warm-up-{i}")));
        var yesterday = new UsageOptions { At = Monday0900 - Duration.FromDays(1) };
        for (var round = 0; round < 3; round++)
        {
            var subject = $"cb-race-{round}";
            var block = await host.Admin.AddCreditBlockAsync(subject, "images", 20, validFrom: Monday0900 - Duration.FromDays(2));
            var gate = new StartingGate(Callers);
            var allowed = await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
            {
                await gate.ArriveAndWaitAsync();
                var count = 0;
                for (var i = 0; i < AttemptsEach; i++)
                {
                    count += (await host.Tracker.TryConsumeAsync(subject, "images", 1, caller % 2 == 0 ? yesterday : null)).Allowed ? 1 : 0;
                }

                return count;
            })));

            allowed.Sum().Should().Be(3 + 3 + 20, subject);
            (await BurnedAsync(host, subject)).Should().Equal([(block.Id, 20L)], subject);
        }
    }

    private static async Task<List<(Guid Id, long Burned)>> BurnedAsync(TrackerUnderTest host, string subject) =>
        [.. (await host.Admin.GetCreditBlocksAsync(subject)).Select(b => (b.Id, b.Burned))];

    private static async Task RolloverAsync(string connectionString)
    {
        // "rolled" carries at most 2 units, "rolled_all" all unused units; each subject's limit is an override.
        var fake = new FakeClock(Monday0900);
        await using var host = TrackerUnderTest.Build(q =>
        {
            Behaviour.UsageTrackerBehaviour.DeclareCatalog(q);
            q.AddFeature("rolled", PeriodPolicy.Day, f => f.RollsOver(cap: 2))
                .AddFeature("rolled_all", PeriodPolicy.Day, f => f.RollsOver())
                .UseClock(fake).UsePostgreSql(connectionString);
        });
        var tuesday = Monday0900 + Duration.FromDays(1);

        // Capped: Monday leaves 4 of 5 unused; Tuesday's first write of 6 is over the plan's 5 and needs the rollover.
        await host.Admin.SetOverrideAsync("cb-roll-cap", "rolled", FeatureLimit.Hard(5));
        await host.Tracker.TryConsumeAsync("cb-roll-cap", "rolled");
        fake.SetTo(tuesday);
        var first = await host.Tracker.TryConsumeAsync("cb-roll-cap", "rolled", 6);
        first.Outcome.Should().Be(UsageOutcome.Allowed, "5 from the plan + 2 carried over cover 6, also on the first write");
        (await host.Admin.GetCreditBlocksAsync("cb-roll-cap")).Select(b => (b.Amount, b.Source, b.ValidFrom))
            .Should().Equal([(2L, CreditBlockSource.Rollover, Instant.FromUtc(2025, 3, 11, 0, 0))], "capped at 2");

        // Not adjacent: Monday's usage does not roll into Wednesday.
        fake.SetTo(Monday0900);
        await host.Admin.SetOverrideAsync("cb-roll-gap", "rolled", FeatureLimit.Hard(5));
        await host.Tracker.TryConsumeAsync("cb-roll-gap", "rolled");
        fake.SetTo(tuesday + Duration.FromDays(1));
        await host.Tracker.TryConsumeAsync("cb-roll-gap", "rolled");
        (await host.Admin.GetCreditBlocksAsync("cb-roll-gap")).Should().BeEmpty("Tuesday had no counter");

        // Only the plan's part of usage reduces what carries: 3 a day and a block of 5; 5 used (2 from the block), then
        // the limit raised to 10 and 1 more used: 10 - (6 - 2) = 6 carried, not 10 - 6 = 4.
        fake.SetTo(Monday0900);
        await host.Admin.SetOverrideAsync("cb-roll-plan", "rolled_all", FeatureLimit.Hard(3));
        await host.Admin.AddCreditBlockAsync("cb-roll-plan", "rolled_all", 5, validUntil: Monday0900 + Duration.FromHours(12));
        await host.Tracker.TryConsumeAsync("cb-roll-plan", "rolled_all", 5);
        await host.Admin.SetOverrideAsync("cb-roll-plan", "rolled_all", FeatureLimit.Hard(10));
        await host.Tracker.TryConsumeAsync("cb-roll-plan", "rolled_all");
        fake.SetTo(tuesday);
        await host.Tracker.TryConsumeAsync("cb-roll-plan", "rolled_all");
        (await host.Admin.GetCreditBlocksAsync("cb-roll-plan")).Where(b => b.Source == CreditBlockSource.Rollover).Select(b => b.Amount)
            .Should().Equal([6L], "units burned from blocks were not the plan's");
    }

    private static TrackerUnderTest Host(string connectionString, out FakeClock clock)
    {
        var fake = new FakeClock(Monday0900);
        clock = fake;
        return TrackerUnderTest.Build(q =>
        {
            Behaviour.UsageTrackerBehaviour.DeclareCatalog(q);
            q.UseClock(fake).UsePostgreSql(connectionString);
        });
    }
}
