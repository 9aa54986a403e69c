using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace QuotaKit;

/// <summary>
/// Checks the whole configuration and throws one <see cref="QuotaConfigurationException"/> listing every problem:
/// invalid or duplicate keys, plans naming unknown features, bad thresholds, an unknown default plan.
/// </summary>
internal sealed partial class QuotaKitOptionsValidator : IValidateOptions<QuotaKitOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaKitOptions options)
    {
        ThrowIfInvalid(options);
        return ValidateOptionsResult.Success;
    }

    public static void ThrowIfInvalid(QuotaKitOptions options)
    {
        var problems = FindProblems(options);
        var columnProblems = FeatureColumnNames.FindProblems(options.Features.Values);
        if (problems.Count > 0)
        {
            throw new QuotaConfigurationException([.. problems, .. columnProblems.Select(p => p.Message)]);
        }

        // Column names are reported with their own type when they are the only problem, so hosts and tools can tell a
        // naming mistake in the reports from a broken quota configuration.
        if (columnProblems.Count > 0)
        {
            throw new FeatureColumnException(columnProblems);
        }
    }

    private static void CheckRollover(string key, FeatureDefinition feature, List<string> problems)
    {
        if (feature.Rollover is not { } rollover)
        {
            return;
        }

        if (rollover.Cap < 0)
        {
            problems.Add($"Feature '{key}' rolls over a negative cap ({rollover.Cap}); use 0 or more, or null for all unused units.");
        }

        if (rollover.Periods < 1)
        {
            problems.Add($"Feature '{key}' rolls over for {rollover.Periods} periods; use 1 or more.");
        }

        if (feature.Aggregation != FeatureAggregation.Sum)
        {
            problems.Add($"Feature '{key}' is a gauge ({feature.Aggregation}) and cannot roll over: only counters have an allowance to carry.");
        }

        if (feature.Period is LifetimePeriodPolicy)
        {
            problems.Add($"Feature '{key}' has a lifetime period and cannot roll over: it has no next period.");
        }
    }

    public static List<string> FindProblems(QuotaKitOptions options)
    {
        var problems = new List<string>(options.BindingProblems);
        foreach (var (key, feature) in options.Features)
        {
            CheckKey("Feature", key, problems);
            if (feature.Period is null)
            {
                problems.Add($"Feature '{key}' has no period.");
            }

            if (feature.AlertThresholds.Any(t => t is < 1 or > 1000))
            {
                problems.Add($"Feature '{key}' has an alert threshold outside 1..1000 percent.");
            }

            if (feature.AlertThresholds.Distinct().Count() != feature.AlertThresholds.Count)
            {
                problems.Add($"Feature '{key}' lists an alert threshold twice.");
            }

            CheckRollover(key, feature, problems);
        }

        foreach (var (key, plan) in options.Plans)
        {
            CheckKey("Plan", key, problems);
            foreach (var featureKey in plan.Limits.Keys.Where(f => !options.Features.ContainsKey(f)))
            {
                problems.Add($"Plan '{key}' sets a limit on unknown feature '{featureKey}'.");
            }
        }

        if (options.DefaultPlan is not null && !options.Plans.ContainsKey(options.DefaultPlan))
        {
            problems.Add($"The default plan '{options.DefaultPlan}' is not declared.");
        }

        if (options.IdempotencyRetention <= NodaTime.Duration.Zero)
        {
            problems.Add("IdempotencyRetention must be positive.");
        }

        if (options.SubjectCacheDuration < NodaTime.Duration.Zero)
        {
            problems.Add("SubjectCacheDuration cannot be negative.");
        }

        if (options.PushedSubjectCacheDuration < options.SubjectCacheDuration)
        {
            problems.Add("PushedSubjectCacheDuration cannot be shorter than SubjectCacheDuration: pushed changes make longer caching safe, not shorter.");
        }

        if (options.SubjectCacheCapacity < 0)
        {
            problems.Add("SubjectCacheCapacity cannot be negative (0 turns the subject cache off).");
        }

        return problems;
    }

    private static void CheckKey(string kind, string key, List<string> problems)
    {
        if (!KeyPattern().IsMatch(key))
        {
            problems.Add($"{kind} key '{key}' is invalid: use 1 to 100 letters, digits, '_', '-', '.' or ':'.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,100}$")]
    private static partial Regex KeyPattern();
}
