
namespace QuotaKit;

/// <summary>A named, metered capability: its unit, the period its usage is counted in, and how usage aggregates.</summary>
public sealed class FeatureDefinition
{
    /// <summary>Creates a feature.</summary>
    /// <param name="key">Unique key, e.g. <c>images</c> (letters, digits, '_', '-', '.', ':'; at most 100 characters).</param>
    /// <param name="period">The period usage is counted in, e.g. <see cref="PeriodPolicy.Day"/>.</param>
    public FeatureDefinition(string key, PeriodPolicy period)
    {
        Key = key;
        Period = period;
    }

    /// <summary>The feature's key.</summary>
    public string Key { get; }

    /// <summary>The period usage is counted in.</summary>
    public PeriodPolicy Period { get; set; }

    /// <summary>The unit shown to people, e.g. <c>image</c> or <c>second</c>. Default <c>unit</c>.</summary>
    public string Unit { get; set; } = "unit";

    /// <summary>Counter (sum) or gauge (last value, max value). Default <see cref="FeatureAggregation.Sum"/>.</summary>
    public FeatureAggregation Aggregation { get; set; } = FeatureAggregation.Sum;

    /// <summary>Alert thresholds in percent of the limit, e.g. 80 and 100. Default: 80 and 100.</summary>
    public IList<int> AlertThresholds { get; set; } = new List<int> { 80, 100 };

    /// <summary>
    /// The column this feature appears under in SQL reports and <c>FeatureUsageRow</c> (with <c>{name}_limit</c> and
    /// <c>{name}_remaining</c>); <c>null</c> (the default) keeps it out of the wide report. Set it with <see cref="Column"/>.
    /// </summary>
    public string? ColumnName { get; set; }

    /// <summary>What a plan change that raises this feature's limit does to the current period (default
    /// <see cref="PlanChangeRule.Keep"/>).</summary>
    public PlanChangeRule OnUpgrade { get; set; } = PlanChangeRule.Keep;

    /// <summary>What a plan change that lowers this feature's limit does to the current period (default
    /// <see cref="PlanChangeRule.Keep"/>).</summary>
    public PlanChangeRule OnDowngrade { get; set; } = PlanChangeRule.Keep;

    /// <summary>
    /// Whether the plan's allowance a period leaves unused carries into the next period as a credit block; <c>null</c>
    /// (the default) carries nothing. Set it with <see cref="RollsOver"/>.
    /// </summary>
    public RolloverRule? Rollover { get; set; }

    /// <summary>
    /// Carries the plan's allowance a period leaves unused, at most <paramref name="cap"/> units (all of it when
    /// <c>null</c>), into the next period as a credit block usable for <paramref name="periods"/> periods, the next one
    /// included (docs/concepts.md, "Rollover"). Checked at validation: not for gauges nor lifetime periods.
    /// </summary>
    public FeatureDefinition RollsOver(long? cap = null, int periods = 1)
    {
        Rollover = new RolloverRule(cap, periods);
        return this;
    }

    /// <summary>
    /// Shows this feature as a column of the wide usage report, named <paramref name="name"/> (e.g.
    /// <c>images_generated</c>), or by default a safe snake_case name derived from the key
    /// (<see cref="FeatureColumnNames.Derive"/>). Names are checked at validation (<see cref="FeatureColumnException"/>).
    /// </summary>
    public FeatureDefinition Column(string? name = null)
    {
        ColumnName = name ?? FeatureColumnNames.Derive(Key);
        return this;
    }
}
