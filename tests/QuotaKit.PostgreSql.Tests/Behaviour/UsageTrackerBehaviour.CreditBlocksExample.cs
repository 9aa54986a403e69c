using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// docs/concepts.md, "Credit blocks": the worked example, call by call. "images" on the free plan: hard limit 3 per UTC day.
public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task The_credit_blocks_worked_example_of_the_concepts_doc_holds_call_by_call()
    {
        var a = await Admin.AddCreditBlockAsync(Subject, "images", 10, validUntil: Monday0900 + Duration.FromDays(30), reason: "A");
        var b = await Admin.AddCreditBlockAsync(Subject, "images", 5, validUntil: Monday0900 + Duration.FromDays(7), reason: "B");
        var c = await Admin.AddCreditBlockAsync(Subject, "images", 20, priority: 1, reason: "C");

        await StepAsync(ConsumeAsync("images", 3), used: 3, burned: 0, left: (10, 5, 20));
        await StepAsync(ConsumeAsync("images", 4), used: 7, burned: 4, left: (10, 1, 20));
        await StepAsync(ConsumeAsync("images", 3), used: 10, burned: 7, left: (8, 0, 20));
        await StepAsync(Tracker.RefundAsync(Subject, "images", 2), used: 8, burned: 5, left: (10, 0, 20));
        var refused = await StepAsync(ConsumeAsync("images", 40), used: 8, burned: 5, left: (10, 0, 20));
        refused.Outcome.Should().Be(UsageOutcome.LimitExceeded, "40 > 0 left in the plan + 30 in the blocks");

        Clock.SetTo(Monday0900 + Duration.FromDays(1));
        await StepAsync(ConsumeAsync("images", 3), used: 3, burned: 0, left: (10, 0, 20));
        var last = await StepAsync(ConsumeAsync("images", 12), used: 15, burned: 12, left: (0, 0, 18));
        last.Remaining.Should().Be(18, "0 from the plan + 18 in C");

        var page = (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "images");
        (page.Used, page.BlocksBurned, page.Remaining).Should().Be((15L, 12L, (long?)18));
        page.Blocks.Select(x => (x.Id, x.Remaining)).Should().Equal([(c.Id, 18L)], "A and B are spent");

        var history = await Tracker.GetHistoryAsync(Subject, "images", MondayUtc.Start, TuesdayUtc.End);
        history.Select(h => h.Period).Should().Equal(MondayUtc, TuesdayUtc);
        history[0].Burns.Should().Equal([new CreditBurn(b.Id, 5)], "the 2 units from A went back to A");
        history[1].Burns.Should().Equal(new CreditBurn(a.Id, 10), new CreditBurn(c.Id, 2));

        async Task<UsageDecision> StepAsync(Task<UsageDecision> call, long used, long burned, (long A, long B, long C) left)
        {
            var decision = await call;
            (decision.Used, decision.BlocksBurned).Should().Be((used, burned));
            var blocks = (await Admin.GetCreditBlocksAsync(Subject)).ToDictionary(x => x.Id, x => x.Remaining);
            (blocks[a.Id], blocks[b.Id], blocks[c.Id]).Should().Be(left);
            return decision;
        }
    }
}
