using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using QuotaKit.PostgreSql.Tests.Behaviour;
using QuotaKit.PostgreSql.Tests.Infrastructure;
using QuotaKit.PostgreSql.Tests.Mutation;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.CreditBlocks;

/// <summary>
/// The PostgreSQL store's credit blocks (schema version 8) where its functions differ from one another: the batched
/// write and the coalescer (record_usage_batch_v8), history's burns, the counter reads, the reset, and the SQL helpers
/// called directly. The SQL mutation harness's credit-block checks run here too, in the default suite.
/// "images" has a hard limit of 3 a day, "voice_seconds" a soft limit of 600 a month.
/// </summary>
public sealed class PostgreSqlCreditBlockTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Monday0900 = Instant.FromUtc(2025, 3, 10, 9, 0);

    private readonly MigratedDatabase _database;

    public PostgreSqlCreditBlockTests(MigratedDatabase database)
    {
        _database = database;
    }

    public static TheoryData<string> CheckNames => new(CreditBlockChecks.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CheckNames))]
    public async Task The_credit_block_checks_of_the_SQL_mutation_harness_hold(string name)
    {
        await CreditBlockChecks.All.Single(c => c.Name == name).Run(_database.ConnectionString);
    }

    [Fact]
    public async Task A_block_added_to_the_store_reads_back_as_given_and_a_missing_block_is_refused()
    {
        // The store contract says "as given": what a host's own tooling stores (a block migrated with units already
        // burned, a reason) must come back unchanged.
        var subject = NewSubject();
        await using var host = Host(out _);
        var store = host.Services.GetRequiredService<UsageStore>();
        var block = new CreditBlock(
            Guid.CreateVersion7(), "images", Amount: 10, Burned: 3, Priority: 2, Monday0900, Monday0900 + Duration.FromDays(7), Monday0900,
            Reason: "migrated from the old system");

        await store.AddCreditBlockAsync(subject, block, CancellationToken.None);
        var missing = () => store.AddCreditBlockAsync(subject, null!, CancellationToken.None);

        (await store.ReadCreditBlocksAsync(subject, CancellationToken.None)).Should().Equal(block);
        await missing.Should().ThrowAsync<ArgumentNullException>().WithParameterName("block");
    }

    [Fact]
    public async Task A_batch_burns_and_gives_back_per_item_in_item_order_and_answers_each_items_blocks()
    {
        var subject = NewSubject();
        await using var host = Host(out _);
        var block = await host.Admin.AddCreditBlockAsync(subject, "images", 4);

        var results = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
        [
            new UsageRecord(subject, "images", 2),   // the plan's 2 of 3
            new UsageRecord(subject, "images", 3),   // 1 from the plan, 2 from the block
            new UsageRecord(subject, "images", 5),   // 2 from the block; an increment goes past the rest
        ]);
        var afterIncrements = await BurnedAsync(host, subject);
        var refund = await host.Tracker.RefundAsync(subject, "images", 1);

        results.Select(r => (r.Decision!.Used, r.Decision.BlocksBurned, r.Decision.BlocksRemaining)).Should().Equal(
            (2L, 0L, (long?)4L), (5L, 2L, (long?)2L), (10L, 4L, (long?)0L));
        afterIncrements.Should().Equal((block.Id, 4L));
        (refund.Used, refund.BlocksBurned, refund.BlocksRemaining).Should().Be((9L, 3L, (long?)1L));
        (await BurnedAsync(host, subject)).Should().Equal((block.Id, 3L));
    }

    [Fact]
    public async Task Coalesced_consumes_burn_all_they_need_or_nothing()
    {
        var subject = NewSubject();
        await using var host = Host(out _, coalesce: true);
        var block = await host.Admin.AddCreditBlockAsync(subject, "images", 2);

        var plan = await host.Tracker.TryConsumeAsync(subject, "images", 3);
        var refused = await host.Tracker.TryConsumeAsync(subject, "images", 3);
        var covered = await host.Tracker.TryConsumeAsync(subject, "images", 2);

        (plan.Outcome, plan.BlocksBurned).Should().Be((UsageOutcome.Allowed, 0L));
        (refused.Outcome, refused.Used, refused.BlocksBurned, refused.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 3L, 0L, (long?)2L));
        (covered.Outcome, covered.Used, covered.BlocksBurned, covered.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 5L, 2L, (long?)0L));
        (await BurnedAsync(host, subject)).Should().Equal((block.Id, 2L));
    }

    [Fact]
    public async Task A_first_batched_consume_over_the_limit_burns_blocks_and_one_the_blocks_cannot_cover_creates_no_period()
    {
        var covered = NewSubject();
        var uncovered = NewSubject();
        await using var host = Host(out _, coalesce: true);
        await host.Admin.AddCreditBlockAsync(covered, "images", 5);
        await host.Admin.AddCreditBlockAsync(uncovered, "images", 1);

        var allowed = await host.Tracker.TryConsumeAsync(covered, "images", 6);
        var refused = await host.Tracker.TryConsumeAsync(uncovered, "images", 6);

        (allowed.Outcome, allowed.Used, allowed.BlocksBurned, allowed.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 6L, 3L, (long?)2L));
        (refused.Outcome, refused.Used, refused.BlocksRemaining).Should().Be((UsageOutcome.LimitExceeded, 0L, (long?)1L));
        (await CountAsync($"SELECT count(*) FROM quotakit.usage_counters WHERE subject_id = '{uncovered}'")).Should().Be(0);
    }

    [Fact]
    public async Task A_soft_limit_burns_what_the_blocks_have_and_goes_over_for_the_rest()
    {
        var subject = NewSubject();
        await using var host = Host(out _);
        await host.Admin.AddCreditBlockAsync(subject, "voice_seconds", 100);

        var over = await host.Tracker.TryConsumeAsync(subject, "voice_seconds", 750);

        (over.Outcome, over.Used, over.BlocksBurned, over.BlocksRemaining).Should().Be((UsageOutcome.Allowed, 750L, 100L, (long?)0L));
        over.SoftLimitExceeded.Should().BeTrue("the plan's part is 650 of 600");
    }

    [Fact]
    public async Task Usage_and_history_show_what_each_period_burned_from_each_block_in_burn_order()
    {
        var subject = NewSubject();
        await using var host = Host(out var clock);
        var second = await host.Admin.AddCreditBlockAsync(subject, "images", 10, priority: 1);
        var first = await host.Admin.AddCreditBlockAsync(subject, "images", 1);
        await host.Tracker.TryConsumeAsync(subject, "images", 5);            // 3 + 1 from first + 1 from second
        clock.SetTo(Monday0900 + Duration.FromDays(1));
        await host.Tracker.TryConsumeAsync(subject, "images", 4);            // 3 + 1 from second
        await host.Tracker.TryConsumeAsync(subject, "images", 1);
        await host.Tracker.RefundAsync(subject, "images", 2);                // gives the day's 2 back

        var usage = (await host.Tracker.GetUsageAsync(subject)).Single(u => u.FeatureKey == "images");
        var history = await host.Tracker.GetHistoryAsync(subject, "images", Monday0900 - Duration.FromDays(1), Monday0900 + Duration.FromDays(3));

        (usage.Used, usage.BlocksBurned).Should().Be((3L, 0L));
        history.Select(h => (h.Used, h.BlocksBurned)).Should().Equal((5L, 2L), (3L, 0L));
        history[0].Burns.Should().Equal(new CreditBurn(first.Id, 1), new CreditBurn(second.Id, 1));
        history[1].Burns.Should().BeEmpty("a block the period gave everything back to is left out");
    }

    [Fact]
    public async Task A_commit_of_fewer_units_than_held_gives_the_rest_back_to_the_blocks_first()
    {
        var subject = NewSubject();
        await using var host = Host(out _);
        var block = await host.Admin.AddCreditBlockAsync(subject, "images", 5);
        await host.Tracker.TryConsumeAsync(subject, "images", 2);
        var hold = (await host.Reservations.ReserveAsync(subject, "images", 4, Duration.FromMinutes(5))).Reservation!;
        var whileHeld = await BurnedAsync(host, subject);

        var settlement = await host.Reservations.CommitAsync(hold, 2);

        whileHeld.Should().Equal((block.Id, 3L));
        (settlement.Used, settlement.BlocksBurned).Should().Be((4L, 1L), "2 of the 4 held are given back, to the block first");
        (await BurnedAsync(host, subject)).Should().Equal((block.Id, 1L));
    }

    [Fact]
    public async Task A_refund_in_a_batch_gives_back_to_the_blocks_its_period_burned()
    {
        var subject = NewSubject();
        await using var host = Host(out _, coalesce: true);
        var block = await host.Admin.AddCreditBlockAsync(subject, "images", 5);
        await host.Tracker.TryConsumeAsync(subject, "images", 6);

        var refund = await host.Tracker.RefundAsync(subject, "images", 2);

        (refund.Used, refund.BlocksBurned, refund.BlocksRemaining).Should().Be((4L, 1L, (long?)4L));
        (await BurnedAsync(host, subject)).Should().Equal((block.Id, 1L));
    }

    [Fact]
    public async Task A_reset_at_the_period_start_forgets_the_periods_burns_and_the_blocks_stay_burned()
    {
        var subject = NewSubject();
        var dayStart = Instant.FromUtc(2025, 3, 10, 0, 0);
        await using var host = Host(out var clock);
        clock.SetTo(dayStart);
        var block = await host.Admin.AddCreditBlockAsync(subject, "images", 5);
        await host.Tracker.TryConsumeAsync(subject, "images", 5);

        (await host.Admin.ResetAsync(subject, "images")).Should().BeTrue();
        var after = await host.Tracker.TryConsumeAsync(subject, "images", 4);

        (after.Used, after.BlocksBurned, after.BlocksRemaining).Should().Be((4L, 1L, (long?)2L), "the new counter starts from 0 burned");
        (await BurnedAsync(host, subject)).Should().Equal((block.Id, 3L));
    }

    [Fact]
    public async Task The_burn_helper_burns_all_or_nothing_when_asked_and_the_give_back_helper_returns_the_last_burned_first()
    {
        var subject = NewSubject();
        await ExecuteAsync($"""
            INSERT INTO quotakit.credit_blocks (subject_id, id, feature_key, amount, priority, valid_from, valid_until, created_at)
            VALUES ('{subject}', '00000000-0000-0000-0000-000000000002', 'f', 3, 0, '2025-01-01', NULL, '2025-01-01'),
                   ('{subject}', '00000000-0000-0000-0000-000000000001', 'f', 3, 0, '2025-01-01', NULL, '2025-01-01'),
                   ('{subject}', '00000000-0000-0000-0000-000000000003', 'f', 3, 0, '2025-01-01', '2025-02-01', '2025-01-02')
            """);

        var refused = await CountAsync($"SELECT quotakit.burn_credit_blocks_v8('{subject}', 'f', '2025-01-10', '2025-01-10', 10, true)");
        var burned = await CountAsync($"SELECT quotakit.burn_credit_blocks_v8('{subject}', 'f', '2025-01-10', '2025-01-10', 10, false)");
        var givenBack = await CountAsync($"SELECT quotakit.return_credit_blocks_v8('{subject}', 'f', '2025-01-10', 4)");

        (refused, burned, givenBack).Should().Be((0L, 9L, 4L));
        (await CountAsync($"SELECT quotakit.credit_blocks_usable_v8('{subject}', 'f', '2025-01-10')")).Should().Be(4);
        // Burn order: ...03 (ends first), then ...01 and ...02 by id; the give-back took ...02's 3 and 1 of ...01.
        (await CountAsync($"""
            SELECT sum(burned * CASE id WHEN '00000000-0000-0000-0000-000000000001' THEN 100 WHEN '00000000-0000-0000-0000-000000000002' THEN 10 ELSE 1 END)
            FROM quotakit.credit_blocks WHERE subject_id = '{subject}'
            """)).Should().Be(2 * 100 + 0 * 10 + 3);
    }

    private static string NewSubject() => $"cb-{Guid.NewGuid():N}";

    private static async Task<(Guid Id, long Burned)[]> BurnedAsync(TrackerUnderTest host, string subject) =>
        [.. (await host.Admin.GetCreditBlocksAsync(subject)).Select(b => (b.Id, b.Burned))];

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private TrackerUnderTest Host(out FakeClock clock, bool coalesce = false)
    {
        var fake = new FakeClock(Monday0900);
        clock = fake;
        return TrackerUnderTest.Build(q =>
        {
            UsageTrackerBehaviour.DeclareCatalog(q);
            q.UseClock(fake).UsePostgreSql(_database.ConnectionString, o =>
            {
                o.CoalesceWrites = coalesce;
                o.CoalesceLoneWritesAsBatches = coalesce;
            });
        });
    }
}
