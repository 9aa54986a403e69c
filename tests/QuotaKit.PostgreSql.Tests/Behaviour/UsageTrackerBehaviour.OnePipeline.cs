namespace QuotaKit.PostgreSql.Tests.Behaviour;

/// <summary>
/// Cases where the two stores' copies of the pipeline had drifted apart before there was one pipeline: each store must
/// answer them identically, to the letter.
/// </summary>
public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task A_counter_call_on_a_gauge_with_a_whitespace_key_reports_the_kind_mismatch_first()
    {
        var consume = () => ConsumeAsync("seats", 1, new UsageOptions { IdempotencyKey = "   " });

        var failure = (await consume.Should().ThrowAsync<FeatureKindMismatchException>()).Which;

        failure.Message.Should().Contain("'seats'").And.Contain("consume");
    }

    [Fact]
    public async Task A_reused_key_gets_the_same_conflict_message_from_every_store()
    {
        await ConsumeAsync("images", 1, Key("request-7"));

        var reuse = () => ConsumeAsync("images", 2, Key("request-7"));

        (await reuse.Should().ThrowAsync<IdempotencyConflictException>()).Which.Message.Should().Be(
            $"Idempotency key 'request-7' of subject '{Subject}' was first used for a different call (amount 2 instead of 1). " +
            "Nothing was applied. A retry must repeat the first call exactly; give a new call a new key.");
    }

    [Fact]
    public async Task A_key_reused_for_another_operation_names_both_operations()
    {
        await ConsumeAsync("images", 1, Key("request-8"));

        var reuse = () => Tracker.RefundAsync(Subject, "images", 1, Key("request-8"));

        (await reuse.Should().ThrowAsync<IdempotencyConflictException>()).Which.Message.Should().Contain(
            "(operation 'refund' instead of 'consume')");
    }
}
