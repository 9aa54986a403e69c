using BenchmarkDotNet.Attributes;
using NodaTime;

namespace QuotaKit.Benchmarks.Micro;

/// <summary>The period calculator on its own: the CPU part of every call.</summary>
[MemoryDiagnoser]
public class PeriodCalculatorBenchmarks
{
    private static readonly Instant At = Instant.FromUtc(2025, 4, 6, 15, 30); // the day Melbourne leaves DST (25 hours)
    private static readonly PeriodContext Melbourne = new(DateTimeZoneProviders.Tzdb["Australia/Melbourne"]);
    private static readonly PeriodContext AnchoredOn31st = new(Anchor: Instant.FromUtc(2025, 1, 31, 9, 0));
    private static readonly PeriodPolicy Week = PeriodPolicy.Week();

    [Benchmark(Description = "Day in Australia/Melbourne")]
    public UsagePeriod DayInZone() => PeriodCalculator.GetPeriod(PeriodPolicy.Day, Melbourne, At);

    [Benchmark(Description = "Month (UTC)")]
    public UsagePeriod Month() => PeriodCalculator.GetPeriod(PeriodPolicy.Month, PeriodContext.Default, At);

    [Benchmark(Description = "Monthly billing cycle (anchor Jan 31)")]
    public UsagePeriod BillingCycle() => PeriodCalculator.GetPeriod(PeriodPolicy.MonthlyBillingCycle, AnchoredOn31st, At);

    [Benchmark(Description = "ISO week (UTC)")]
    public UsagePeriod IsoWeek() => PeriodCalculator.GetPeriod(Week, PeriodContext.Default, At);
}
