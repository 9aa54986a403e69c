using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace QuotaKit;

/// <summary>Declares QuotaKit's features, plans and services; returned by <c>AddQuotaKit</c>. Storage packages add
/// their own <c>Use...</c> methods to it.</summary>
public sealed class QuotaKitBuilder
{
    internal QuotaKitBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection QuotaKit registers into.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Declares a feature. Declaring the same key twice is reported as a configuration error.</summary>
    /// <param name="key">The feature's key, e.g. <c>images</c>.</param>
    /// <param name="period">The period usage is counted in, e.g. <c>PeriodPolicy.Day</c>.</param>
    /// <param name="configure">Sets unit, aggregation and alert thresholds.</param>
    public QuotaKitBuilder AddFeature(string key, PeriodPolicy period, Action<FeatureDefinition>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(period);
        return Configure(options =>
        {
            var feature = new FeatureDefinition(key, period);
            configure?.Invoke(feature);
            if (!options.Features.TryAdd(key, feature))
            {
                options.BindingProblems.Add($"Feature '{key}' is declared twice.");
            }
        });
    }

    /// <summary>Declares a plan. Declaring the same key twice is reported as a configuration error.</summary>
    public QuotaKitBuilder AddPlan(string key, Action<PlanDefinition> configure)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(configure);
        return Configure(options =>
        {
            var plan = new PlanDefinition(key);
            configure(plan);
            if (!options.Plans.TryAdd(key, plan))
            {
                options.BindingProblems.Add($"Plan '{key}' is declared twice.");
            }
        });
    }

    /// <summary>
    /// Reads features, plans and defaults from a configuration section (usually <c>configuration.GetSection("QuotaKit")</c>):
    /// <c>DefaultPlan</c>, <c>IdempotencyRetention</c> (<c>d.hh:mm:ss</c>), <c>Features:{key}</c> with <c>Period</c>,
    /// <c>TimeZone</c>, <c>Unit</c>, <c>Aggregation</c> (sum, last, max), <c>AlertThresholds</c> and <c>Column</c> (the
    /// report column name; empty or <c>default</c> derives it from the key), and
    /// <c>Plans:{key}:{feature}</c> limits such as <c>"3"</c>, <c>"600 soft"</c>, <c>"unlimited"</c>, <c>"disabled"</c>.
    /// Declarations add up with those made in code; every problem is reported together at validation.
    /// </summary>
    public QuotaKitBuilder BindConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Configure(options => QuotaKitConfigurationBinder.Bind(section, options));
    }

    /// <summary>Sets the plan of subjects that have none.</summary>
    public QuotaKitBuilder UseDefaultPlan(string planKey) => Configure(options => options.DefaultPlan = planKey);

    /// <summary>Changes any option.</summary>
    public QuotaKitBuilder Configure(Action<QuotaKitOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Registers an alert handler (several may be registered; each gets every alert).</summary>
    public QuotaKitBuilder AddAlertHandler<THandler>()
        where THandler : class, IQuotaAlertHandler
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IQuotaAlertHandler, THandler>());
        return this;
    }

    /// <summary>Reads subjects' plans, zones and anchors from the host's own resolver instead of QuotaKit's subjects table.</summary>
    public QuotaKitBuilder UseSubjectContextResolver<TResolver>()
        where TResolver : class, ISubjectContextResolver
    {
        Services.Replace(ServiceDescriptor.Singleton<ISubjectContextResolver, TResolver>());
        return this;
    }

    /// <summary>
    /// Stores usage and subjects in a store of your own: classes derived from <see cref="UsageStore"/> and
    /// <see cref="SubjectStore"/>, created by the service provider (singletons). Replaces a store registered earlier.
    /// </summary>
    public QuotaKitBuilder UseStore<TUsageStore, TSubjectStore>()
        where TUsageStore : UsageStore
        where TSubjectStore : SubjectStore
    {
        Services.Replace(ServiceDescriptor.Singleton<UsageStore, TUsageStore>());
        Services.Replace(ServiceDescriptor.Singleton<SubjectStore, TSubjectStore>());
        return this;
    }

    /// <summary>As <see cref="UseStore{TUsageStore, TSubjectStore}"/>, with the stores built by factories (singletons).</summary>
    public QuotaKitBuilder UseStore(Func<IServiceProvider, UsageStore> usageStore, Func<IServiceProvider, SubjectStore> subjectStore)
    {
        ArgumentNullException.ThrowIfNull(usageStore);
        ArgumentNullException.ThrowIfNull(subjectStore);
        Services.Replace(ServiceDescriptor.Singleton(usageStore));
        Services.Replace(ServiceDescriptor.Singleton(subjectStore));
        return this;
    }

    /// <summary>Uses <paramref name="clock"/> instead of the system clock (tests, simulations).</summary>
    public QuotaKitBuilder UseClock(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Services.Replace(ServiceDescriptor.Singleton(clock));
        return this;
    }
}
