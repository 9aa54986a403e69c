using NodaTime;

namespace QuotaKit;

/// <summary>
/// The instants QuotaKit stores: periods lie within [0001-01-01T00:00:00Z, 9999-12-31T00:00:00Z], the range both
/// PostgreSQL's <c>timestamptz</c> and .NET's <see cref="DateTime"/> hold (the end is <see cref="PeriodPolicy.LifetimeEnd"/>).
/// </summary>
internal static class SupportedInstants
{
    public static readonly Instant Min = Instant.FromUtc(1, 1, 1, 0, 0);

    public static Instant Max => PeriodPolicy.LifetimeEnd;

    /// <summary>The feature's period for the subject at <paramref name="at"/>, which must lie in the supported range.</summary>
    /// <exception cref="PeriodOutOfRangeException">The period would start before <see cref="Min"/> or end after <see cref="Max"/>.</exception>
    public static UsagePeriod GetPeriod(FeatureDefinition feature, SubjectContext subject, Instant at)
    {
        UsagePeriod period;
        try
        {
            period = PeriodCalculator.GetPeriod(feature.Period, subject.TimeZone, subject.BillingAnchor, at);
        }
        catch (Exception exception) when (exception is OverflowException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            // NodaTime cannot represent a local date outside its range (years -9998 to 9999).
            throw OutOfRange(feature, at, exception);
        }

        return period.Start < Min || period.End > Max ? throw OutOfRange(feature, at, inner: null) : period;
    }

    /// <summary><c>[from, to)</c> cut to the supported range; <c>null</c> when nothing of it is left.</summary>
    public static UsagePeriod? Clamp(Instant from, Instant to)
    {
        var start = from < Min ? Min : from;
        var end = to > Max ? Max : to;
        return end > start ? new UsagePeriod(start, end) : null;
    }

    private static PeriodOutOfRangeException OutOfRange(FeatureDefinition feature, Instant at, Exception? inner) => new(
        $"No period of feature '{feature.Key}' ({feature.Period}) that holds {at} can be stored: QuotaKit stores periods " +
        $"between {Min} and {Max}. Pass a usage instant (UsageOptions.At, or the clock's) inside that range.", inner);
}
