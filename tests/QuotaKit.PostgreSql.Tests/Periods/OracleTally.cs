using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Periods;

/// <summary>Counts oracle outcomes and keeps a few examples of each kind that is not plain agreement.</summary>
internal sealed class OracleTally
{
    private const int ExamplesPerOutcome = 5;
    private readonly Dictionary<Outcome, int> _counts = [];
    private readonly Dictionary<Outcome, List<string>> _examples = [];
    private readonly Dictionary<string, int> _tzdbDifferencesByZone = [];

    public int Count(Outcome outcome) => _counts.GetValueOrDefault(outcome);

    public void Add(Outcome outcome, DateTimeZone zone, Instant instant)
    {
        _counts[outcome] = Count(outcome) + 1;
        if (outcome == Outcome.TzdbDiffers)
        {
            _tzdbDifferencesByZone[zone.Id] = _tzdbDifferencesByZone.GetValueOrDefault(zone.Id) + 1;
        }

        if (outcome != Outcome.Agrees)
        {
            List<string> examples = _examples.TryGetValue(outcome, out List<string>? list) ? list : _examples[outcome] = [];
            if (examples.Count < ExamplesPerOutcome)
            {
                examples.Add($"{zone.Id} {instant} (local {instant.InZone(zone).LocalDateTime})");
            }
        }
    }

    /// <summary>Zones where NodaTime's and PostgreSQL's tzdb copies disagree on an offset at some sampled instant.</summary>
    public IReadOnlyCollection<string> ZonesWithTzdbDifferences => _tzdbDifferencesByZone.Keys;

    public override string ToString() =>
        string.Join(Environment.NewLine, _counts.OrderBy(c => c.Key).Select(c =>
            $"{c.Key}: {c.Value}{(_examples.TryGetValue(c.Key, out List<string>? examples) ? " e.g. " + string.Join("; ", examples) : "")}"))
        + $"{Environment.NewLine}Rows per zone where the tzdb copies differ: "
        + string.Join(", ", _tzdbDifferencesByZone.OrderByDescending(z => z.Value).Select(z => $"{z.Key} {z.Value}"));
}
