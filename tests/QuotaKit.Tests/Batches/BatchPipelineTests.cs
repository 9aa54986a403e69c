using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Batches;

/// <summary>
/// <see cref="IUsageMeter.RecordAsync"/>'s own steps, apart from any store: its argument check, cancellation before
/// and between chunks, and each record's usage instant.
/// </summary>
public sealed class BatchPipelineTests : IAsyncDisposable
{
    private const string Subject = "batch-subject";
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);

    private readonly CancellationTokenSource _cancelOnAlert = new();
    private readonly ServiceProvider _services;

    public BatchPipelineTests()
    {
        _services = new ServiceCollection()
            .AddSingleton<IQuotaAlertHandler>(new CancellingHandler(_cancelOnAlert))
            .AddQuotaKit(q => q
                .AddFeature("calls", PeriodPolicy.Day)
                .AddFeature("alerted", PeriodPolicy.Day, f => f.AlertThresholds = [50])
                .AddPlan("free", p => p.Limit("calls", 10_000).Limit("alerted", IUsageMeter.ChunkSize))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Now))
                .UseInMemoryStore())
            .Services.BuildServiceProvider();
    }

    private IUsageMeter Meter => _services.GetRequiredService<IUsageMeter>();

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _cancelOnAlert.Dispose();
    }

    [Fact]
    public async Task A_missing_batch_is_refused_by_naming_the_argument()
    {
        var act = () => Meter.RecordAsync(null!);

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("records");
    }

    [Fact]
    public async Task A_batch_whose_caller_already_cancelled_throws_and_writes_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => Meter.RecordAsync([new UsageRecord(Subject, "calls", 3)], cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "calls").Used.Should().Be(0);
    }

    [Fact]
    public async Task Chunks_after_a_cancellation_are_not_sent_and_the_chunks_written_keep_their_results()
    {
        // The alert at 50% of the first chunk cancels the caller's token while that chunk is being answered: the chunk is
        // committed, so its records keep their decisions; the second chunk (one record) must not be sent.
        var records = Enumerable.Range(0, IUsageMeter.ChunkSize + 1).Select(_ => new UsageRecord(Subject, "alerted")).ToArray();

        var results = await Meter.RecordAsync(records, _cancelOnAlert.Token);

        results.Take(IUsageMeter.ChunkSize).Should().OnlyContain(r => r.Succeeded);
        results[^1].Error.Should().BeOfType<OperationCanceledException>();
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "alerted").Used.Should().Be(IUsageMeter.ChunkSize);
    }

    [Fact]
    public async Task Each_record_counts_in_the_period_of_its_own_usage_instant()
    {
        var yesterday = Now - Duration.FromDays(1);

        var results = await Meter.RecordAsync(
        [
            new UsageRecord(Subject, "calls", 2, new UsageOptions { At = yesterday }),
            new UsageRecord(Subject, "calls", 5),
        ]);

        results.Should().OnlyContain(r => r.Succeeded);
        results[0].Decision!.Period.Start.Should().Be(Instant.FromUtc(2025, 3, 9, 0, 0));
        (await Tracker.GetUsageAsync(Subject, yesterday)).Single(u => u.FeatureKey == "calls").Used.Should().Be(2);
        (await Tracker.GetUsageAsync(Subject)).Single(u => u.FeatureKey == "calls").Used.Should().Be(5);
    }

    private sealed class CancellingHandler(CancellationTokenSource source) : IQuotaAlertHandler
    {
        public Task HandleAsync(QuotaAlert alert, CancellationToken cancellationToken) => source.CancelAsync();
    }
}
