using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using QuotaKit.Testing;

namespace QuotaKit.Tests.Configuration;

public class AddQuotaKitRegistrationTests
{
    [Fact]
    public void Calling_AddQuotaKit_twice_registers_services_once_and_adds_up_declarations()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).UseInMemoryStore());
        services.AddQuotaKit(q => q.AddFeature("voice", PeriodPolicy.Month).UseInMemoryStore());

        foreach (var type in new[]
                 {
                     typeof(IClock), typeof(QuotaKitRuntime), typeof(AlertDispatcher), typeof(QuotaKitMetrics),
                     typeof(IValidateOptions<QuotaKitOptions>), typeof(IUsageTracker), typeof(IQuotaAdministration),
                     typeof(ISubjectContextResolver), typeof(UsageStore), typeof(SubjectStore),
                 })
        {
            services.Count(d => d.ServiceType == type).Should().Be(1, $"{type.Name} is registered once");
        }

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<QuotaKitOptions>>().Value.Features.Keys.Should().BeEquivalentTo("images", "voice");
    }

    [Fact]
    public void The_one_pipeline_runs_over_the_in_memory_stores()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).UseInMemoryStore());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IUsageTracker>().Should().BeOfType<UsageTracker>();
        provider.GetRequiredService<UsageStore>().Should().BeOfType<InMemoryUsageStore>();
        provider.GetRequiredService<SubjectStore>().Should().BeOfType<InMemorySubjectStore>();
        provider.GetRequiredService<ISubjectContextResolver>().Should().BeOfType<SubjectCache>();
    }

    [Fact]
    public void The_meter_is_the_tracker_and_a_host_tracker_that_is_no_meter_is_named_when_the_meter_is_asked_for()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).UseInMemoryStore());
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IUsageMeter>().Should().BeSameAs(provider.GetRequiredService<IUsageTracker>());
        }

        var hostServices = new ServiceCollection();
        hostServices.AddSingleton<IUsageTracker>(new NoMeterTracker());
        hostServices.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).UseInMemoryStore());
        using var hostProvider = hostServices.BuildServiceProvider();

        var resolve = () => hostProvider.GetRequiredService<IUsageMeter>();

        resolve.Should().Throw<QuotaConfigurationException>().WithMessage("*does not implement IUsageMeter*");
    }

    private sealed class NoMeterTracker : IUsageTracker
    {
        public Task<UsageDecision> TryConsumeAsync(string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<UsageDecision> IncrementAsync(string subjectId, string featureKey, long amount = 1, UsageOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<UsageDecision> RefundAsync(string subjectId, string featureKey, long amount, UsageOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<UsageDecision> CheckAsync(string subjectId, string featureKey, long amount = 1, Instant? at = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<UsageDecision> SetGaugeAsync(string subjectId, string featureKey, long value, UsageOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<FeatureUsage>> GetUsageAsync(string subjectId, Instant? at = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<FeatureUsage>> GetHistoryAsync(string subjectId, string featureKey, Instant from, Instant to, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    [Fact]
    public void Without_a_store_the_tracker_says_which_call_registers_one()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day));
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IUsageTracker>();

        resolve.Should().Throw<QuotaConfigurationException>()
            .WithMessage("*No QuotaKit store is registered*UsePostgreSql*UseInMemoryStore*UseStore*");
    }

    [Fact]
    public void A_host_resolver_wins_whether_it_is_set_before_or_after_the_store()
    {
        foreach (var resolverFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            services.AddQuotaKit(q =>
            {
                if (resolverFirst)
                {
                    q.UseSubjectContextResolver<ProPlanResolver>().UseInMemoryStore();
                }
                else
                {
                    q.UseInMemoryStore().UseSubjectContextResolver<ProPlanResolver>();
                }
            });
            using var provider = services.BuildServiceProvider();

            provider.GetRequiredService<ISubjectContextResolver>().Should().BeOfType<ProPlanResolver>();
        }
    }

    [Fact]
    public async Task The_tracker_reads_plans_from_the_host_resolver()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("pro", p => p.Limit("images", 100))
            .UseInMemoryStore()
            .UseSubjectContextResolver<ProPlanResolver>()
            .UseClock(new FakeClock(Instant.FromUtc(2025, 1, 1, 0, 0))));
        using var provider = services.BuildServiceProvider();

        var decision = await provider.GetRequiredService<IUsageTracker>().TryConsumeAsync("alice", "images");

        decision.Limit.Should().Be(FeatureLimit.Hard(100));
    }

    [Fact]
    public void Invalid_configuration_fails_when_the_tracker_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddQuotaKit(q => q.AddFeature("images", PeriodPolicy.Day).UseDefaultPlan("missing").UseInMemoryStore());
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IUsageTracker>();

        act.Should().Throw<QuotaConfigurationException>().Which.Problems.Should().Equal("The default plan 'missing' is not declared.");
    }

    [Fact]
    public async Task Invalid_configuration_fails_a_host_at_start_up()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddQuotaKit(q => q
            .AddFeature("images", PeriodPolicy.Day)
            .AddPlan("free", p => p.Limit("videos", 1))
            .UseDefaultPlan("missing"));
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<QuotaConfigurationException>()).Which.Problems.Should().BeEquivalentTo(
            "Plan 'free' sets a limit on unknown feature 'videos'.",
            "The default plan 'missing' is not declared.");
    }

    private sealed class ProPlanResolver : ISubjectContextResolver
    {
        public ValueTask<SubjectContext> ResolveAsync(string subjectId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new SubjectContext { PlanKey = "pro" });
    }
}
