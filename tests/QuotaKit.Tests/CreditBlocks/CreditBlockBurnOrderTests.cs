using NodaTime;

namespace QuotaKit.Tests.CreditBlocks;

/// <summary><see cref="CreditBlock.BurnOrder"/> and <see cref="CreditBlock.IsUsableAt"/> (rules.md, "BURN ORDER").</summary>
public class CreditBlockBurnOrderTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);

    private static CreditBlock Block(
        string id = "00000000-0000-0000-0000-000000000001", int priority = 0, Instant? until = null, Instant? created = null,
        long amount = 5, long burned = 0) =>
        new(Guid.Parse(id), "images", amount, burned, priority, Now, until, created ?? Now, null);

    private static CreditBlock[] Sorted(params CreditBlock[] blocks) => [.. blocks.Order(CreditBlock.BurnOrder)];

    [Fact]
    public void Lower_priority_burns_first_whatever_the_end()
    {
        var later = Block(priority: 1, until: Now + Duration.FromHours(1));
        var sooner = Block(priority: 0);
        var first = Block(priority: -5);

        Sorted(later, sooner, first).Should().Equal(first, sooner, later);
    }

    [Fact]
    public void Among_equal_priorities_the_earliest_end_burns_first_and_no_end_burns_last()
    {
        var noEnd = Block();
        var tomorrow = Block(until: Now + Duration.FromDays(1));
        var inAnHour = Block(until: Now + Duration.FromHours(1));

        Sorted(noEnd, tomorrow, inAnHour).Should().Equal(inAnHour, tomorrow, noEnd);
    }

    [Fact]
    public void Among_equal_priorities_and_ends_the_oldest_burns_first()
    {
        var newer = Block(id: "00000000-0000-0000-0000-000000000001", created: Now);
        var older = Block(id: "ffffffff-0000-0000-0000-000000000000", created: Now - Duration.FromHours(1));

        Sorted(newer, older).Should().Equal(older, newer);
    }

    [Fact]
    public void Otherwise_the_id_decides_by_its_lowercase_text()
    {
        var b = Block(id: "bbbbbbbb-0000-0000-0000-000000000000");
        var a = Block(id: "aaaaaaaa-ffff-0000-0000-000000000000");
        var nine = Block(id: "99999999-ffff-ffff-ffff-ffffffffffff");

        Sorted(b, a, nine).Should().Equal(nine, a, b);
        CreditBlock.BurnOrder.Compare(a, a with { Reason = "same id" }).Should().Be(0);
    }

    [Fact]
    public void The_order_is_total_and_puts_null_first()
    {
        var block = Block();

        CreditBlock.BurnOrder.Compare(block, block).Should().Be(0);
        CreditBlock.BurnOrder.Compare(null, block).Should().BeNegative();
        CreditBlock.BurnOrder.Compare(block, null).Should().BePositive();
    }

    [Fact]
    public void A_block_is_usable_in_its_half_open_window_while_units_are_left()
    {
        var until = Now + Duration.FromHours(1);
        var block = Block(until: until);

        block.IsUsableAt(Now - Duration.Epsilon).Should().BeFalse("before validFrom");
        block.IsUsableAt(Now).Should().BeTrue("at validFrom");
        block.IsUsableAt(until - Duration.Epsilon).Should().BeTrue();
        block.IsUsableAt(until).Should().BeFalse("at validUntil");
        Block().IsUsableAt(Instant.FromUtc(9999, 1, 1, 0, 0)).Should().BeTrue("a block without an end never ends");
        Block(amount: 5, burned: 5).IsUsableAt(Now).Should().BeFalse("spent");
        Block(amount: 5, burned: 4).Remaining.Should().Be(1);
    }
}
