namespace QuotaKit.PostgreSql.Tests.Behaviour;

public abstract partial class UsageTrackerBehaviour
{
    private const int Consumers = 64;

    [Theory]
    [InlineData(50, 1, 50, 50)]  // 64 x 8 = 512 attempts (over 10 x 50) for 50 units
    [InlineData(100, 3, 33, 99)] // 33 x 3 = 99 fits in 100; a 34th would make 102
    public async Task Concurrent_consumers_on_one_new_counter_never_overshoot(long limit, long amount, int expectedAllowed, long expectedUsed)
    {
        await Admin.SetOverrideAsync(Subject, "images", FeatureLimit.Hard(limit));
        var attemptsEach = (int)(10 * limit / Consumers) + 1;

        var allowed = await RunTogetherAsync(async () =>
        {
            var count = 0;
            for (var i = 0; i < attemptsEach; i++)
            {
                count += (await ConsumeAsync("images", amount)).Allowed ? 1 : 0;
            }

            return count;
        });

        allowed.Sum().Should().Be(expectedAllowed);
        (await UsedAsync("images")).Should().Be(expectedUsed);
    }

    [Fact]
    public async Task Concurrent_calls_with_one_key_apply_once_and_return_the_same_decision()
    {
        var decisions = await RunTogetherAsync(() => ConsumeAsync("images", 2, Key("one-request")));

        decisions.Should().OnlyContain(d => d.Allowed && d.Used == 2);
        decisions.Count(d => !d.IsReplay).Should().Be(1);
        (await UsedAsync("images")).Should().Be(2);
    }

    /// <summary>Starts <see cref="Consumers"/> copies of <paramref name="work"/> on the thread pool, releases them at once,
    /// and returns their results.</summary>
    private static async Task<T[]> RunTogetherAsync<T>(Func<Task<T>> work)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Consumers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await work();
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }
}
