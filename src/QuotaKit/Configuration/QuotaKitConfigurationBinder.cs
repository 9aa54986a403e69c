using System.Globalization;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace QuotaKit;

/// <summary>
/// Reads the "QuotaKit" configuration section into <see cref="QuotaKitOptions"/> by hand (no reflection binder). Never
/// throws on a bad value: every problem goes into <see cref="QuotaKitOptions.BindingProblems"/> so validation lists
/// them all at once.
/// </summary>
internal static class QuotaKitConfigurationBinder
{
    private static readonly string[] FeatureSettings = ["Unit", "Period", "TimeZone", "Aggregation", "AlertThresholds", "Column"];

    public static void Bind(IConfiguration section, QuotaKitOptions options)
    {
        var problems = options.BindingProblems;
        if (section["DefaultPlan"] is { Length: > 0 } defaultPlan)
        {
            options.DefaultPlan = defaultPlan;
        }

        if (ReadDuration(section, "IdempotencyRetention", problems) is { } retention)
        {
            options.IdempotencyRetention = retention;
        }

        if (ReadDuration(section, "SubjectCacheDuration", problems) is { } cacheDuration)
        {
            options.SubjectCacheDuration = cacheDuration;
        }

        if (ReadDuration(section, "PushedSubjectCacheDuration", problems) is { } pushedDuration)
        {
            options.PushedSubjectCacheDuration = pushedDuration;
        }

        if (section["SubjectCacheCapacity"] is { } capacity)
        {
            if (int.TryParse(capacity, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                options.SubjectCacheCapacity = parsed;
            }
            else
            {
                problems.Add($"SubjectCacheCapacity '{capacity}' is not a whole number of subjects.");
            }
        }

        foreach (var featureSection in section.GetSection("Features").GetChildren())
        {
            if (ReadFeature(featureSection, problems) is { } feature && !options.Features.TryAdd(feature.Key, feature))
            {
                problems.Add($"Feature '{feature.Key}' is declared twice (in configuration and in code).");
            }
        }

        foreach (var planSection in section.GetSection("Plans").GetChildren())
        {
            var plan = ReadPlan(planSection, problems);
            if (!options.Plans.TryAdd(plan.Key, plan))
            {
                problems.Add($"Plan '{plan.Key}' is declared twice (in configuration and in code).");
            }
        }
    }

    private static FeatureDefinition? ReadFeature(IConfigurationSection section, List<string> problems)
    {
        var key = section.Key;
        foreach (var unknown in section.GetChildren().Select(c => c.Key).Where(k => !FeatureSettings.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"Feature '{key}' has an unknown setting '{unknown}'; use {string.Join(", ", FeatureSettings)}.");
        }

        var period = ReadPeriod(section, problems);
        var aggregation = ReadAggregation(section, problems);
        var thresholds = ReadThresholds(section, problems);
        if (period is null)
        {
            return null;
        }

        var feature = new FeatureDefinition(key, period) { Aggregation = aggregation };
        if (section["Unit"] is { Length: > 0 } unit)
        {
            feature.Unit = unit;
        }

        if (thresholds is not null)
        {
            feature.AlertThresholds = thresholds;
        }

        // "Column": "images_generated" names the report column; "Column": "" (or "default") derives it from the key.
        if (section["Column"] is { } column)
        {
            feature.Column(column.Length == 0 || column.Equals("default", StringComparison.OrdinalIgnoreCase) ? null : column);
        }

        return feature;
    }

    private static PeriodPolicy? ReadPeriod(IConfigurationSection feature, List<string> problems)
    {
        if (feature["Period"] is not { Length: > 0 } text)
        {
            problems.Add($"Feature '{feature.Key}' has no Period (e.g. \"day\" or \"billing-month\").");
            return null;
        }

        try
        {
            var policy = PeriodPolicy.Parse(text);
            return feature["TimeZone"] is { Length: > 0 } zone ? policy.InZone(zone) : policy;
        }
        catch (QuotaConfigurationException exception)
        {
            problems.AddRange(exception.Problems.Select(problem => $"Feature '{feature.Key}': {problem}"));
            return null;
        }
        catch (UnknownTimeZoneException exception)
        {
            problems.Add($"Feature '{feature.Key}': {exception.Message}");
            return null;
        }
    }

    private static FeatureAggregation ReadAggregation(IConfigurationSection feature, List<string> problems)
    {
        var text = feature["Aggregation"];
        if (string.IsNullOrEmpty(text))
        {
            return FeatureAggregation.Sum;
        }

        if (Enum.TryParse<FeatureAggregation>(text, ignoreCase: true, out var aggregation) && Enum.IsDefined(aggregation) && !char.IsDigit(text[0]))
        {
            return aggregation;
        }

        problems.Add($"Feature '{feature.Key}' has an unknown Aggregation '{text}'; use sum, last or max.");
        return FeatureAggregation.Sum;
    }

    private static List<int>? ReadThresholds(IConfigurationSection feature, List<string> problems)
    {
        var section = feature.GetSection("AlertThresholds");
        if (!section.Exists())
        {
            return null;
        }

        var thresholds = new List<int>();
        foreach (var item in section.GetChildren())
        {
            if (int.TryParse(item.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                thresholds.Add(percent);
            }
            else
            {
                problems.Add($"Feature '{feature.Key}' has an alert threshold '{item.Value}' that is not a whole percent.");
            }
        }

        return thresholds;
    }

    private static PlanDefinition ReadPlan(IConfigurationSection section, List<string> problems)
    {
        var plan = new PlanDefinition(section.Key);
        foreach (var limit in section.GetChildren())
        {
            try
            {
                plan.Set(limit.Key, FeatureLimit.Parse(limit.Value ?? string.Empty));
            }
            catch (FormatException exception)
            {
                problems.Add($"Plan '{plan.Key}', feature '{limit.Key}': {exception.Message}");
            }
        }

        return plan;
    }

    private static Duration? ReadDuration(IConfiguration section, string name, List<string> problems)
    {
        var text = section[name];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return Duration.FromTimeSpan(value);
        }

        problems.Add($"{name} '{text}' is not a duration; use d.hh:mm:ss, e.g. \"7.00:00:00\".");
        return null;
    }
}
