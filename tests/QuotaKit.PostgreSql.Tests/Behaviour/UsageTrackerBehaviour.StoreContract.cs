using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.PostgreSql.Tests.Behaviour;

// What the store contract (UsageStore) promises to a third-party caller beyond what the tracker's own reads use.
public abstract partial class UsageTrackerBehaviour
{
    [Fact]
    public async Task The_store_reads_each_counter_with_the_limit_stored_by_its_last_write()
    {
        await ConsumeAsync("images", 2);                  // free: 3
        await ConsumeAsync("voice_seconds", 30);          // free: soft 600
        await ConsumeAsync("exports", 4);                 // free: unlimited, so no number is stored
        await Admin.SetPlanAsync(Subject, "pro");
        await ConsumeAsync("images");                     // pro: 100, the last write of images
        await Admin.SetPlanAsync(Subject, "free");        // changes no stored limit: nothing written since
        var store = UnderTest.Services.GetRequiredService<UsageStore>();

        var counters = await store.ReadCountersAsync(Subject, ["images", "voice_seconds", "exports", "api_calls"], Monday0900, CancellationToken.None);

        counters.Select(c => c is null ? ((long, long?)?)null : (c.Used, c.LimitValue)).Should().Equal(
            ((long, long?)?)(3L, 100L), (30L, 600L), (4L, null), null); // api_calls: never written
    }

    [Fact]
    public async Task The_store_reads_history_with_the_limit_stored_by_each_periods_last_write()
    {
        await ConsumeAsync("images", 2);                  // free: 3
        await ConsumeAsync("exports", 4);                 // free: unlimited, so no number is stored
        var store = UnderTest.Services.GetRequiredService<UsageStore>();

        var images = await store.ReadHistoryAsync(Subject, "images", MondayUtc, CancellationToken.None);
        var exports = await store.ReadHistoryAsync(Subject, "exports", MondayUtc, CancellationToken.None);

        images.Select(p => (p.Used, p.LimitValue)).Should().Equal(((long, long?))(2L, 3L));
        exports.Select(p => (p.Used, p.LimitValue)).Should().Equal(((long, long?))(4L, null));
    }

    [Fact]
    public async Task The_store_answers_an_empty_batch_with_no_results()
    {
        var store = UnderTest.Services.GetRequiredService<UsageStore>();

        (await store.WriteBatchAsync([], CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_store_refuses_a_missing_write_batch_or_settle_request_by_naming_the_argument()
    {
        // The contract is public: a third-party caller gets the argument's name, not a NullReferenceException from deep
        // inside the store (or, for the PostgreSQL store, a statement sent with nothing bound).
        var store = UnderTest.Services.GetRequiredService<UsageStore>();

        await store.Invoking(s => s.WriteAsync(null!, CancellationToken.None).AsTask())
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("write");
        await store.Invoking(s => s.WriteBatchAsync(null!, CancellationToken.None).AsTask())
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("writes");
        await store.Invoking(s => s.SettleHoldAsync(null!, CancellationToken.None).AsTask())
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("request");
    }

    [Fact]
    public async Task The_subject_store_refuses_a_missing_grant_or_plan_change_rule_by_naming_the_argument()
    {
        var subjects = UnderTest.Services.GetRequiredService<SubjectStore>();

        await subjects.Invoking(s => s.AddGrantAsync(Subject, null!, Monday0900, CancellationToken.None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("grant");
        await subjects.Invoking(s => s.ChangePlanAsync(Subject, "pro", Monday0900, null!, CancellationToken.None))
            .Should().ThrowAsync<ArgumentNullException>().WithParameterName("effectsOf");
    }
}
