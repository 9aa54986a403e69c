using System.Globalization;

using NodaTime;
using NodaTime.Text;

namespace QuotaKit;

/// <summary>Reads period policies from configuration text; see <see cref="PeriodPolicy.Parse"/> for the grammar.</summary>
internal static class PeriodPolicyText
{
    private const string Grammar =
        "minute, hour, day, week, week:<first day, e.g. sunday>, month, quarter, year, billing-month, billing-year, " +
        "billing:<months>, lifetime, every:<count><s|m|h|d|ms|ns>[@<ISO instant epoch>]";

    public static PeriodPolicy Parse(string? text)
    {
        return TryParse(text?.Trim() ?? string.Empty)
            ?? throw new QuotaConfigurationException($"'{text}' is not a period policy. Use one of: {Grammar}.");
    }

    private static PeriodPolicy? TryParse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? text : text[..colon]).ToLowerInvariant();
        string? argument = colon < 0 ? null : text[(colon + 1)..];
        return (name, argument) switch
        {
            ("minute", null) => PeriodPolicy.Minute,
            ("hour", null) => PeriodPolicy.Hour,
            ("day", null) => PeriodPolicy.Day,
            ("week", null) => PeriodPolicy.Week(),
            ("week", { } firstDay) => ParseWeek(firstDay),
            ("month", null) => PeriodPolicy.Month,
            ("quarter", null) => PeriodPolicy.Quarter,
            ("year", null) => PeriodPolicy.Year,
            ("billing-month", null) => PeriodPolicy.MonthlyBillingCycle,
            ("billing-year", null) => PeriodPolicy.YearlyBillingCycle,
            ("billing", { } months) => ParseBillingCycle(months),
            ("lifetime", null) => PeriodPolicy.Lifetime,
            ("every", { } lengthAndEpoch) => ParseFixed(lengthAndEpoch),
            _ => null,
        };
    }

    private static PeriodPolicy? ParseWeek(string firstDay)
    {
        for (IsoDayOfWeek day = IsoDayOfWeek.Monday; day <= IsoDayOfWeek.Sunday; day++)
        {
            if (string.Equals(firstDay, day.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return PeriodPolicy.Week(day);
            }
        }

        return null;
    }

    private static PeriodPolicy? ParseBillingCycle(string months) =>
        int.TryParse(months, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
        && count is >= 1 and <= BillingCyclePeriodPolicy.MaxMonths
            ? PeriodPolicy.BillingCycle(count)
            : null;

    private static PeriodPolicy? ParseFixed(string lengthAndEpoch)
    {
        int at = lengthAndEpoch.IndexOf('@', StringComparison.Ordinal);
        Duration? length = DurationText.ParseCompact(at < 0 ? lengthAndEpoch : lengthAndEpoch[..at]);
        if (length is null)
        {
            return null;
        }

        if (at < 0)
        {
            return PeriodPolicy.Fixed(length.Value);
        }

        ParseResult<Instant> epoch = InstantPattern.ExtendedIso.Parse(lengthAndEpoch[(at + 1)..].ToUpperInvariant());
        return epoch.Success ? PeriodPolicy.Fixed(length.Value, epoch.Value) : null;
    }
}
