using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>A counter QuotaKit holds.</summary>
internal sealed record StoredCounter(string SubjectId, string FeatureKey, Instant Start, Instant End, long Used);

/// <summary>A counter the import will write: QuotaKit's period, the summed usage, the plan's limit and the alert level reached.</summary>
internal sealed record PlannedCounter(string SubjectId, string FeatureKey, UsagePeriod Period, long Used, long? Limit, int AlertedPercent);

/// <summary>
/// Source rows turned into QuotaKit's counters: each contribution lands in the period QuotaKit computes for the subject
/// (as the tracker would), and contributions of one period add up. A row any part of which cannot land in one period is
/// refused whole.
/// </summary>
internal sealed class ImportPlan(QuotaKitOptions options)
{
    private readonly Dictionary<(string Subject, string Feature, Instant Start), (UsagePeriod Period, long Used, string? Plan)> _counters = new();
    private readonly Dictionary<string, Instant> _anchors = new(StringComparer.Ordinal);

    /// <summary>Billing anchors to set, for subjects that had none (plans tables).</summary>
    public IReadOnlyDictionary<string, Instant> Anchors => _anchors;

    public string[] SubjectIds => _counters.Keys.Select(k => k.Subject).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Adds a row; returns why it was refused, or null.</summary>
    public string? Add(ImportSource source, string subjectId, object?[] row, ImportSubject? subject)
    {
        var (contributions, newAnchor, problem) = ImportRowParser.Parse(source, row, subject, options);
        if (problem is not null)
        {
            return problem;
        }

        if (newAnchor is { } anchor && _anchors.TryGetValue(subjectId, out var earlier) && earlier != anchor)
        {
            return $"another row of '{subjectId}' resets at another date; one subject has one billing anchor";
        }

        var context = new PeriodContext(subject?.Zone, newAnchor ?? subject?.Anchor);
        var landed = new List<((string, string, Instant) Key, UsagePeriod Period, long Amount)>();
        // A zero count is a row with nothing to import for that feature (hand-written tables default to 0): no counter.
        foreach (var c in contributions!.Where(c => c.Amount > 0))
        {
            var feature = options.Features[c.FeatureKey];
            UsagePeriod period;
            try
            {
                period = PeriodCalculator.GetPeriod(feature.Period, context, c.Start);
            }
            catch (QuotaConfigurationException) when (context.Anchor is null)
            {
                return $"feature '{c.FeatureKey}' counts per {feature.Period} from the subject's billing anchor, and '{subjectId}' has none; set it first";
            }
            catch (Exception exception) when (exception is QuotaKitException or ArgumentException or InvalidOperationException or OverflowException)
            {
                return $"no period of '{c.FeatureKey}' holds {c.Start}: {exception.Message}";
            }

            if (c.End is { } end && end > period.End)
            {
                return $"the source period [{c.Start}, {end}) of '{c.FeatureKey}' spans QuotaKit's periods (the one holding its start " +
                    $"is [{period.Start}, {period.End})); check the subject's time zone or billing anchor, or the feature's period";
            }

            landed.Add(((subjectId, c.FeatureKey, period.Start), period, c.Amount));
        }

        foreach (var (key, period, amount) in landed)
        {
            var used = _counters.TryGetValue(key, out var existing) ? existing.Used : 0;
            if (used > long.MaxValue - amount)
            {
                return $"the sum for '{key.Item2}' in [{period.Start}, {period.End}) passes the largest count";
            }
        }

        foreach (var (key, period, amount) in landed)
        {
            var used = _counters.TryGetValue(key, out var existing) ? existing.Used : 0;
            _counters[key] = (period, used + amount, subject?.PlanKey);
        }

        if (newAnchor is { } set)
        {
            _anchors[subjectId] = set;
        }

        return null;
    }

    /// <summary>Splits the plan against what QuotaKit holds: new counters, counters already imported, conflicts.</summary>
    public (List<PlannedCounter> ToWrite, long AlreadyImported, List<ImportConflict> Conflicts) Compare(List<StoredCounter> stored)
    {
        var byKey = stored.GroupBy(s => (s.SubjectId, s.FeatureKey)).ToDictionary(g => g.Key, g => g.ToList());
        var toWrite = new List<PlannedCounter>();
        var conflicts = new List<ImportConflict>();
        long alreadyImported = 0;
        foreach (var ((subject, feature, start), (period, used, plan)) in _counters.OrderBy(c => c.Key.Subject, StringComparer.Ordinal)
                     .ThenBy(c => c.Key.Feature, StringComparer.Ordinal).ThenBy(c => c.Key.Start))
        {
            var overlapping = byKey.GetValueOrDefault((subject, feature))?.Where(s => s.Start < period.End && s.End > period.Start).ToList() ?? [];
            if (overlapping.Count == 0)
            {
                toWrite.Add(Planned(subject, feature, period, used, plan));
            }
            else if (overlapping is [var same] && same.Start == start && same.Used == used)
            {
                alreadyImported++;
            }
            else
            {
                var exact = overlapping.FirstOrDefault(s => s.Start == start);
                conflicts.Add(new ImportConflict(subject, feature, start, used, exact?.Used));
            }
        }

        return (toWrite, alreadyImported, conflicts);
    }

    /// <summary>The plan's limit (no overrides or grants: informational, as stored with each write) and the alert level
    /// already reached, so the next usage call does not announce thresholds the imported usage crossed long ago.</summary>
    private PlannedCounter Planned(string subject, string featureKey, UsagePeriod period, long used, string? planKey)
    {
        var plan = planKey ?? options.DefaultPlan;
        var limit = plan is not null && options.Plans.TryGetValue(plan, out var definition)
            ? definition.GetLimit(featureKey)
            : FeatureLimit.Disabled;
        var number = limit.AsNumber;
        var alerted = number is > 0
            ? options.Features[featureKey].AlertThresholds.Where(t => (decimal)used * 100 >= (decimal)t * number.Value).DefaultIfEmpty(0).Max()
            : 0;
        return new PlannedCounter(subject, featureKey, period, used, number, alerted);
    }
}
