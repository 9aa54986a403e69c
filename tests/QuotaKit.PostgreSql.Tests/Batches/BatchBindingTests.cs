using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.PostgreSql.Tests.Infrastructure;

namespace QuotaKit.PostgreSql.Tests.Batches;

/// <summary>
/// What a batch sends for each of its records, seen in what the database keeps: which records store a usage event, and
/// which instant judges the expiry of the holds the batch gives back. Records of one batch each carry the instant their
/// own call read from the clock, so these tests script the clock per call.
/// </summary>
public sealed class BatchBindingTests : IClassFixture<MigratedDatabase>
{
    private static readonly Instant Noon = Instant.FromUtc(2025, 6, 2, 12, 0);

    private readonly MigratedDatabase _database;

    public BatchBindingTests(MigratedDatabase database)
    {
        _database = database;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_stores_the_events_its_records_ask_for_and_every_event_when_all_are_recorded(bool recordAllEvents)
    {
        var withMetadata = $"with-metadata-{Guid.NewGuid():N}";
        var without = $"without-{Guid.NewGuid():N}";
        await using var host = Host(new ScriptedClock(Noon), recordAllEvents);

        var results = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
        [
            new UsageRecord(withMetadata, "calls", 2, new UsageOptions { MetadataJson = """{"model":"small"}""" }),
            new UsageRecord(without, "calls", 3),
        ]);

        results.Should().OnlyContain(r => r.Succeeded);
        (await EventsAsync(withMetadata)).Should().Be(1, "metadata is kept in the record's usage event");
        (await EventsAsync(without)).Should().Be(recordAllEvents ? 1 : 0, "RecordAllEvents stores an event for every record");
    }

    [Fact]
    public async Task A_batch_gives_back_the_holds_expired_at_its_latest_record_even_when_its_first_and_last_records_are_earlier()
    {
        var subject = $"held-{Guid.NewGuid():N}";
        var clock = new ScriptedClock(Noon);
        await using var host = Host(clock, recordAllEvents: false);
        (await host.Reservations.ReserveAsync(subject, "calls", 10, Duration.FromMinutes(1))).Granted.Should().BeTrue();

        // One batch of three records read from the clock in this order: the hold (until 12:01) has expired at the second.
        clock.Script(Noon + Duration.FromSeconds(30), Noon + Duration.FromMinutes(2), Noon + Duration.FromSeconds(40));
        var results = await host.Services.GetRequiredService<IUsageMeter>().RecordAsync(
            [new UsageRecord(subject, "calls"), new UsageRecord(subject, "calls"), new UsageRecord(subject, "calls")]);

        results.Should().OnlyContain(r => r.Succeeded);
        (await host.Tracker.GetUsageAsync(subject)).Single().Used.Should().Be(
            3, "the batch is committed after its latest record, when the hold of 10 units had expired and was given back");
    }

    private TrackerUnderTest Host(IClock clock, bool recordAllEvents) =>
        TrackerUnderTest.Build(q => q
            .UseClock(clock)
            .AddFeature("calls", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("calls", 100))
            .UseDefaultPlan("free")
            .UsePostgreSql(_database.ConnectionString, o => o.RecordAllEvents = recordAllEvents));

    private async Task<long> EventsAsync(string subject)
    {
        await using var command = _database.DataSource.CreateCommand("SELECT count(*) FROM quotakit.usage_events WHERE subject_id = $1");
        command.Parameters.AddWithValue(subject);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A clock that answers the scripted instants one read at a time, then keeps the last one.</summary>
    private sealed class ScriptedClock(Instant initial) : IClock
    {
        private readonly Queue<Instant> _next = new();
        private Instant _current = initial;

        public void Script(params Instant[] instants)
        {
            foreach (var instant in instants)
            {
                _next.Enqueue(instant);
            }
        }

        public Instant GetCurrentInstant()
        {
            lock (_next)
            {
                if (_next.TryDequeue(out var next))
                {
                    _current = next;
                }

                return _current;
            }
        }
    }
}
