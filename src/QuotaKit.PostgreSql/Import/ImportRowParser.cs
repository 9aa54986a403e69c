using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>One feature's usage from a source row: an amount over <c>[Start, End)</c>, or at the instant Start (End null).</summary>
internal readonly record struct Contribution(string FeatureKey, Instant Start, Instant? End, long Amount);

/// <summary>What QuotaKit knows about a subject, for periods and limits.</summary>
internal sealed record ImportSubject(string? PlanKey, DateTimeZone? Zone, Instant? Anchor);

/// <summary>Turns one raw source row into its contributions, or the reason it is skipped (the whole row).</summary>
internal static partial class ImportRowParser
{
    public static (List<Contribution>? Contributions, Instant? NewAnchor, string? Problem) Parse(
        ImportSource source, object?[] row, ImportSubject? subject, QuotaKitOptions options)
    {
        var contributions = new List<Contribution>();
        switch (source)
        {
            case WideTableSource wide:
                {
                    if (row[1] is not string periodText || !TryParsePeriod(periodText, out var first, out var next))
                    {
                        return (null, null, $"period '{row[1]}' is not 'YYYY-MM' or 'YYYY-MM-DD'");
                    }

                    DateTimeZone? rowZone = null;
                    if (row[2] is string zoneId && (rowZone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)) is null)
                    {
                        return (null, null, $"time zone '{zoneId}' is not an IANA zone id");
                    }

                    var i = 3;
                    foreach (var (column, featureKey) in wide.Columns)
                    {
                        if (!TryAmount(row[i++], out var amount, out var problem))
                        {
                            return (null, null, $"column {column}: {problem}");
                        }

                        var zone = rowZone ?? subject?.Zone ?? options.Features[featureKey].Period.TimeZone ?? DateTimeZone.Utc;
                        contributions.Add(new(featureKey, zone.AtStartOfDay(first).ToInstant(), zone.AtStartOfDay(next).ToInstant(), amount));
                    }

                    return (contributions, null, null);
                }

            case CounterTableSource counters:
                {
                    if (row[1] is not string name || !counters.Features.TryGetValue(name, out var featureKey))
                    {
                        return (null, null, $"feature '{row[1]}' is not in the column map");
                    }

                    if (row[2] is not DateTime start || row[3] is not DateTime end)
                    {
                        return (null, null, "the period's start or end is missing");
                    }

                    if (end <= start)
                    {
                        return (null, null, $"the period [{Utc(start)}, {Utc(end)}) is empty or reversed");
                    }

                    if (!TryAmount(row[4], out var amount, out var problem))
                    {
                        return (null, null, problem);
                    }

                    contributions.Add(new(featureKey, Utc(start), Utc(end), amount));
                    return (contributions, null, null);
                }

            case EventLogSource log:
                {
                    if (row[1] is not DateTime at)
                    {
                        return (null, null, "the event's time is missing");
                    }

                    if (!TryAmount(row[2], out var amount, out var problem))
                    {
                        return (null, null, problem);
                    }

                    contributions.Add(new(log.FeatureKey, Utc(at), null, amount));
                    return (contributions, null, null);
                }

            case PlansTableSource plans:
                {
                    if (row[1] is not DateTime reset)
                    {
                        return (null, null, "the reset date is missing");
                    }

                    var end = Utc(reset);
                    var start = end.InUtc().LocalDateTime.PlusMonths(-1).InUtc().ToInstant();
                    var i = 2;
                    foreach (var (column, featureKey) in plans.Columns)
                    {
                        if (!TryAmount(row[i++], out var amount, out var problem))
                        {
                            return (null, null, $"column {column}: {problem}");
                        }

                        contributions.Add(new(featureKey, start, end, amount));
                    }

                    // The cycle that ends at the reset date starts a month earlier: anchored there, QuotaKit's monthly cycles
                    // are the source's.
                    var anchor = plans.AnchorBillingCycles && subject?.Anchor is null ? start : (Instant?)null;
                    return (contributions, anchor, null);
                }

            default:
                throw new ArgumentException("Unknown import source.", nameof(source));
        }
    }

    private static bool TryAmount(object? value, out long amount, out string? problem)
    {
        amount = 0;
        problem = null;
        if (value is not string text)
        {
            problem = "the count is missing (NULL)";
            return false;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out amount))
        {
            problem = $"the count '{text}' is not a whole number";
            return false;
        }

        if (amount < 0)
        {
            problem = $"the count {amount} is negative";
            return false;
        }

        return true;
    }

    private static bool TryParsePeriod(string text, out LocalDate first, out LocalDate next)
    {
        first = next = default;
        var match = PeriodPattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var month = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || year < 1)
        {
            return false;
        }

        if (!match.Groups[3].Success)
        {
            first = new LocalDate(year, month, 1);
            next = first.PlusMonths(1);
            return true;
        }

        var day = int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        if (day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month))
        {
            return false;
        }

        first = new LocalDate(year, month, day);
        next = first.PlusDays(1);
        return true;
    }

    private static Instant Utc(DateTime value) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [GeneratedRegex("^(\\d{4})-(\\d{2})(?:-(\\d{2}))?$")]
    private static partial Regex PeriodPattern();
}
