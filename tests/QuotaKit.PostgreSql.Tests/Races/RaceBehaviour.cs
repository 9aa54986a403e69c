using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Races;

/// <summary>
/// 64 callers on real threads, released together by a <see cref="Barrier"/>, spread over the app instances a store can
/// have (two service providers with separate connection pools on PostgreSQL; one on the in-memory store, which lives in
/// one process). The atomic write must hold across them: no overshoot, exact usage, a key applied once, and each alert
/// threshold delivered exactly once.
/// </summary>
public abstract class RaceBehaviour : IAsyncLifetime
{
    private const int Callers = 64;
    private const int CreditedPlan = 20;
    private static readonly Instant Now = Instant.FromUtc(2025, 6, 2, 9, 0);
    private readonly string _subject = $"race-{Guid.NewGuid():N}";
    private IReadOnlyList<TrackerUnderTest> _instances = [];

    public async Task InitializeAsync() => _instances = await CreateInstancesAsync(q => q
        .AddFeature("images", PeriodPolicy.Day)
        .AddFeature("alerted", PeriodPolicy.Day, f => f.AlertThresholds = [25, 50, 75, 100])
        .AddFeature("credited", PeriodPolicy.Day)
        .AddPlan("race", p => p.Limit("images", 50).Limit("alerted", Callers).Limit("credited", CreditedPlan))
        .UseDefaultPlan("race")
        .UseClock(new FakeClock(Now)));

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances.Distinct())
        {
            await instance.DisposeAsync();
        }
    }

    /// <summary>The app instances the callers are spread over, all on one store.</summary>
    protected abstract Task<IReadOnlyList<TrackerUnderTest>> CreateInstancesAsync(Action<QuotaKitBuilder> configure);

    [Fact]
    public async Task Callers_racing_on_one_counter_never_overshoot_and_count_exactly()
    {
        const int attemptsEach = 3; // 192 attempts for a limit of 50

        var allowed = RunTogether(tracker =>
        {
            var count = 0;
            for (var i = 0; i < attemptsEach; i++)
            {
                count += tracker.TryConsumeAsync(_subject, "images").GetAwaiter().GetResult().Allowed ? 1 : 0;
            }

            return count;
        });

        allowed.Sum().Should().Be(50);
        foreach (var instance in _instances)
        {
            (await UsedAsync(instance, "images")).Should().Be(50, "every instance reads the exact count");
        }
    }

    [Fact]
    public async Task Callers_racing_with_one_idempotency_key_apply_it_once_and_the_rest_replay()
    {
        var key = UsageOptions.WithIdempotencyKey("one-request");

        var decisions = RunTogether(tracker => tracker.TryConsumeAsync(_subject, "images", 2, key).GetAwaiter().GetResult());

        decisions.Count(d => !d.IsReplay).Should().Be(1, "one caller applied the key");
        decisions.Should().OnlyContain(d => d.Allowed && d.Used == 2, "every replay returns the first answer");
        (await UsedAsync(_instances[0], "images")).Should().Be(2);
    }

    [Fact]
    public void Callers_crossing_the_alert_thresholds_together_fire_each_threshold_exactly_once()
    {
        // 64 callers consume 1 each of a limit of 64: 16, 32, 48 and 64 cross 25%, 50%, 75% and 100%.
        var decisions = RunTogether(tracker => tracker.TryConsumeAsync(_subject, "alerted").GetAwaiter().GetResult());

        decisions.Should().OnlyContain(d => d.Allowed);
        var alerts = _instances.Distinct().SelectMany(i => i.Alerts).Where(a => a.SubjectId == _subject).ToList();
        alerts.Select(a => a.ThresholdPercent).Order().Should().Equal([25, 50, 75, 100], "each threshold fires once, across instances");
        alerts.Should().OnlyContain(a => a.Used * 100 >= a.ThresholdPercent * (long)Callers, "an alert reports usage at or past its threshold");
    }

    [Fact]
    public async Task Callers_reserving_committing_and_releasing_never_overshoot_never_leak_and_expired_holds_stop_counting()
    {
        // Each caller reserves 1 to 3 units four times and commits all of them, commits one, releases, or (its last
        // reservation, one caller in eight) abandons the hold, which expires after a minute; one caller in four consumes
        // single units instead. Settles go through the other instance. Limit 50 for 64 callers: most calls are refused.
        const int rounds = 4;
        var reservations = _instances.Select(i => i.Reservations).ToArray();
        var trackers = _instances.Select(i => i.Tracker).ToArray();
        var outcomes = RunTogether((_, caller) =>
        {
            long committed = 0, abandoned = 0, highestUsed = 0;
            for (var round = 0; round < rounds; round++)
            {
                if (caller % 4 == 3)
                {
                    // A quarter of the callers consume instead, competing with the holds for the same units.
                    var consumed = trackers[caller % trackers.Length].TryConsumeAsync(_subject, "images").GetAwaiter().GetResult();
                    highestUsed = Math.Max(highestUsed, consumed.Used);
                    committed += consumed.Allowed ? 1 : 0;
                    continue;
                }

                var amount = 1 + ((caller + round) % 3);
                var abandon = round == rounds - 1 && caller % 8 == 0;
                var expiresIn = abandon ? Duration.FromMinutes(1) : Duration.FromHours(1);
                var reserved = reservations[caller % reservations.Length].ReserveAsync(_subject, "images", amount, expiresIn).GetAwaiter().GetResult();
                highestUsed = Math.Max(highestUsed, reserved.Decision.Used);
                if (!reserved.Granted)
                {
                    continue;
                }

                var settler = reservations[(caller + 1) % reservations.Length];
                switch (abandon ? -1 : (caller + round) % 3)
                {
                    case -1:
                        abandoned += amount;
                        break;
                    case 0:
                        committed += settler.CommitAsync(reserved.Reservation!, amount).GetAwaiter().GetResult().CommittedAmount;
                        break;
                    case 1:
                        committed += settler.CommitAsync(reserved.Reservation!, 1).GetAwaiter().GetResult().CommittedAmount;
                        break;
                    default:
                        settler.ReleaseAsync(reserved.Reservation!).GetAwaiter().GetResult().State.Should().Be(ReservationState.Released);
                        break;
                }
            }

            return (Committed: committed, Abandoned: abandoned, HighestUsed: highestUsed);
        });

        var committedTotal = outcomes.Sum(o => o.Committed);
        var abandonedTotal = outcomes.Sum(o => o.Abandoned);
        outcomes.Max(o => o.HighestUsed).Should().BeLessThanOrEqualTo(50, "held and committed units never pass the limit");
        committedTotal.Should().BePositive("the race committed something");
        (await UsedAsync(_instances[0], "images")).Should().Be(committedTotal + abandonedTotal, "no held unit leaked or was given back twice");

        // A minute later the abandoned holds stop counting: the next write sees only what was committed.
        foreach (var clock in _instances.Select(i => (FakeClock)i.Services.GetRequiredService<IClock>()).Distinct())
        {
            clock.SetTo(Now + Duration.FromMinutes(1));
        }

        var next = await _instances[1 % _instances.Count].Tracker.IncrementAsync(_subject, "images");
        next.Used.Should().Be(committedTotal + 1, "every abandoned hold expired");
    }

    [Fact]
    public async Task Callers_racing_past_the_plan_and_three_credit_blocks_never_overshoot_them_and_count_every_unit_once()
    {
        // Plan 20 + blocks of 10, 15 and 5 = 50 units for about 250 asked: most calls are refused.
        var (usage, blocks, outcomes) = await RaceOverCreditBlocksAsync(10, 15, 5);

        outcomes.Max(o => o.HighestUsed).Should().BeLessThanOrEqualTo(CreditedPlan + 30, "the plan and the blocks together are never overshot");
        usage.Used.Should().Be(outcomes.Sum(o => o.Net), "every unit counted, refunded and settled exactly once");
        usage.BlocksBurned.Should().Be(blocks.Sum(b => b.Burned), "the period's total is what its blocks burned");
        blocks.Should().OnlyContain(b => b.Burned >= 0 && b.Burned <= b.Amount, "no block burned past its amount");
        (usage.Used - usage.BlocksBurned).Should().Be(CreditedPlan, "blocks are burned only after the plan is spent, and given back first");
    }

    [Fact]
    public async Task Callers_racing_into_three_credit_blocks_burn_them_in_order_and_give_back_in_reverse()
    {
        // Blocks of 5 (ends first), 300 and 100 (priority 1) hold more than the race asks: nothing is refused, so the race
        // uses exactly 224 units (48 consumers of 1 + 2 + 1 + 2, of which 16 refund each at once; 16 reservers commit 1
        // twice): 20 from the plan, 204 from the blocks, in order: 5, then 199 of 300, and none of the priority-1 block.
        var (usage, blocks, outcomes) = await RaceOverCreditBlocksAsync(5, 300, 100);

        outcomes.Sum(o => o.Net).Should().Be(224, "nothing was refused");
        (usage.Used, usage.BlocksBurned).Should().Be((224L, 204L));
        blocks.Select(b => b.Burned).Should().Equal([5L, 199L, 0L], "burned in order, given back in reverse, under every interleaving");
    }

    /// <summary>
    /// 64 callers, four calls each: consumes of 1 or 2 units (a quarter of the consumers refund theirs at once) and
    /// reservations committed with 1 unit or released, through the other instance. The "credited" plan allows 20 a day;
    /// the subject has three blocks: <paramref name="first"/> (priority 0, ends in 7 days), <paramref name="second"/>
    /// (priority 0, ends in 30 days) and <paramref name="third"/> (priority 1, no end). Answers the usage, the blocks in
    /// burn order, and each caller's net units and the highest usage it saw.
    /// </summary>
    private async Task<(FeatureUsage Usage, CreditBlock[] Blocks, (long Net, long HighestUsed)[] Outcomes)> RaceOverCreditBlocksAsync(
        long first, long second, long third)
    {
        var admin = _instances[0].Admin;
        var from = Now - Duration.FromDays(1);
        var ids = new[]
        {
            (await admin.AddCreditBlockAsync(_subject, "credited", third, from, validUntil: null, priority: 1)).Id,
            (await admin.AddCreditBlockAsync(_subject, "credited", second, from, Now + Duration.FromDays(30))).Id,
            (await admin.AddCreditBlockAsync(_subject, "credited", first, from, Now + Duration.FromDays(7))).Id,
        };
        var reservations = _instances.Select(i => i.Reservations).ToArray();

        var outcomes = RunTogether((tracker, caller) =>
        {
            long net = 0, highestUsed = 0;
            for (var round = 0; round < 4; round++)
            {
                var amount = 1 + ((caller + round) % 2);
                if (caller % 4 == 0)
                {
                    var reserved = reservations[caller % reservations.Length].ReserveAsync(_subject, "credited", amount, Duration.FromHours(1))
                        .GetAwaiter().GetResult();
                    highestUsed = Math.Max(highestUsed, reserved.Decision.Used);
                    if (reserved.Granted)
                    {
                        var settler = reservations[(caller + 1) % reservations.Length];
                        net += round % 2 == 0
                            ? settler.CommitAsync(reserved.Reservation!, 1).GetAwaiter().GetResult().CommittedAmount
                            : settler.ReleaseAsync(reserved.Reservation!).GetAwaiter().GetResult().CommittedAmount;
                    }

                    continue;
                }

                var consumed = tracker.TryConsumeAsync(_subject, "credited", amount).GetAwaiter().GetResult();
                highestUsed = Math.Max(highestUsed, consumed.Used);
                if (consumed.Allowed)
                {
                    net += amount;
                    if (caller % 4 == 1)
                    {
                        tracker.RefundAsync(_subject, "credited", amount).GetAwaiter().GetResult();
                        net -= amount;
                    }
                }
            }

            return (Net: net, HighestUsed: highestUsed);
        });

        var usage = (await _instances[1 % _instances.Count].Tracker.GetUsageAsync(_subject, Now)).Single(u => u.FeatureKey == "credited");
        var stored = (await admin.GetCreditBlocksAsync(_subject)).ToDictionary(b => b.Id);
        return (usage, [stored[ids[2]], stored[ids[1]], stored[ids[0]]], outcomes);
    }

    private async Task<long> UsedAsync(TrackerUnderTest instance, string feature) =>
        (await instance.Tracker.GetUsageAsync(_subject, Now)).Single(u => u.FeatureKey == feature).Used;

    /// <summary>Runs <paramref name="call"/> on <see cref="Callers"/> dedicated threads, caller i on instance i mod n.</summary>
    private T[] RunTogether<T>(Func<IUsageTracker, T> call) => RunTogether((tracker, _) => call(tracker));

    /// <summary>As above; <paramref name="call"/> also gets the caller's number.</summary>
    private T[] RunTogether<T>(Func<IUsageTracker, int, T> call)
    {
        var trackers = _instances.Select(i => i.Tracker).ToArray(); // resolved before the race
        using var barrier = new Barrier(Callers);
        var results = new T[Callers];
        var failures = new Exception?[Callers];
        var threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
        {
            barrier.SignalAndWait();
            try
            {
                results[i] = call(trackers[i % trackers.Length], i);
            }
            catch (Exception exception)
            {
                failures[i] = exception;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        failures.Where(f => f is not null).Should().BeEmpty();
        return results;
    }
}
