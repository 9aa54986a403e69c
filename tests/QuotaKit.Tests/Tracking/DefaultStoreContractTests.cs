using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Tracking;

/// <summary>
/// What a store written by a host gets from the store contract's defaults (<see cref="UsageStore"/> and
/// <see cref="SubjectStore"/>) when it overrides only the required members: clear refusals of resets, reservations and
/// plan-change rules it cannot apply. Its default batch write is tested with the batch contract
/// (<see cref="Batches.BatchStoreContractTests"/>).
/// </summary>
public sealed class DefaultStoreContractTests : IAsyncDisposable
{
    private const string Subject = "contract-subject";
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 10, 9, 0);

    private readonly ScriptedFailureStore _store = new();
    private readonly VersionedSubjectStore _subjects = new();
    private readonly ServiceProvider _services;

    public DefaultStoreContractTests()
    {
        _services = new ServiceCollection()
            .AddQuotaKit(q => q
                .AddFeature("images", PeriodPolicy.Day, f => f.OnDowngrade = PlanChangeRule.Reset)
                .AddFeature("events", PeriodPolicy.Day)
                .AddPlan("free", p => p.Limit("images", 5).Unlimited("events"))
                .AddPlan("pro", p => p.Limit("images", 50).Unlimited("events"))
                .UseDefaultPlan("free")
                .UseClock(new FakeClock(Now))
                .UseStore(_ => _store, _ => _subjects))
            .Services.BuildServiceProvider();
    }

    private IUsageTracker Tracker => _services.GetRequiredService<IUsageTracker>();

    private IQuotaAdministration Admin => _services.GetRequiredService<IQuotaAdministration>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public void A_settle_request_names_itself_in_messages_as_a_commit_or_a_release_of_its_hold()
    {
        var reservation = new Reservation(Subject, "images", Guid.Parse("5d1c0f36-8a1e-4b5e-9a55-3f7c2a4b9e10"));

        var commit = new HoldSettleRequest(reservation, commit: true, 3, FeatureLimit.Hard(5), [], Now).ToString();
        var release = new HoldSettleRequest(reservation, commit: false, 0, FeatureLimit.Hard(5), [], Now).ToString();

        commit.Should().StartWith("commit").And.ContainAll("5d1c0f36-8a1e-4b5e-9a55-3f7c2a4b9e10", "images", Subject);
        release.Should().StartWith("release").And.ContainAll("5d1c0f36-8a1e-4b5e-9a55-3f7c2a4b9e10", "images", Subject);
    }

    [Fact]
    public async Task A_store_without_resets_refuses_a_reset_by_naming_itself()
    {
        var act = () => Admin.ResetAsync(Subject, "images");

        (await act.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain(nameof(ScriptedFailureStore));
    }

    [Fact]
    public async Task A_store_without_reservations_refuses_a_reservation_and_holds_nothing()
    {
        var act = () => _services.GetRequiredService<IUsageReservations>().ReserveAsync(Subject, "images", 2, Duration.FromMinutes(5));

        (await act.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain(nameof(ScriptedFailureStore));
        _store.WriteAttempts.Should().Be(0);
    }

    [Fact]
    public async Task A_store_without_reservations_refuses_a_commit_and_a_release_saying_which_stores_support_them()
    {
        var reservation = new Reservation(Subject, "images", Guid.Parse("5d1c0f36-8a1e-4b5e-9a55-3f7c2a4b9e10"));

        var commit = () => _services.GetRequiredService<IUsageReservations>().CommitAsync(reservation, 1);
        var release = () => _services.GetRequiredService<IUsageReservations>().ReleaseAsync(reservation);

        (await commit.Should().ThrowAsync<NotSupportedException>()).Which.Message
            .Should().ContainAll(nameof(ScriptedFailureStore), "Use the PostgreSQL or the in-memory store", "override UsageStore.SupportsReservations");
        (await release.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain("Use the PostgreSQL or the in-memory store");
    }

    [Fact]
    public async Task A_subject_store_without_plan_change_rules_applies_a_change_without_effects_and_refuses_one_with_effects()
    {
        await Admin.SetPlanAsync(Subject, "pro"); // an upgrade: the feature keeps its usage, so nothing else to apply
        await Tracker.TryConsumeAsync(Subject, "images", 10);

        var downgrade = () => Admin.SetPlanAsync(Subject, "free"); // a downgrade resets the feature: the default cannot

        (await downgrade.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain(nameof(VersionedSubjectStore));
        (await Admin.GetSubjectAsync(Subject)).PlanKey.Should().Be("pro", "a refused change leaves the plan as it was");
    }

    [Fact]
    public async Task The_default_plan_change_refuses_a_missing_rule_by_naming_the_argument()
    {
        var act = () => _subjects.ChangePlanAsync(Subject, "pro", Now, null!, CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("effectsOf");
    }

    [Fact]
    public void A_store_cannot_answer_a_replay_or_a_failure_without_saying_of_what()
    {
        var replay = () => UsageWriteResult.Replayed(null!);
        var failed = () => UsageWriteResult.Failed(null!);

        replay.Should().Throw<ArgumentNullException>().WithParameterName("first");
        failed.Should().Throw<ArgumentNullException>().WithParameterName("error");
    }
}
