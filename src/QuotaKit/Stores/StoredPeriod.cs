namespace QuotaKit;

/// <summary>One stored counter, as history reads it.</summary>
/// <param name="Period">The period.</param>
/// <param name="Used">The usage.</param>
/// <param name="LimitValue">The limit's number stored with the period's last write; <c>null</c> when it was unlimited.</param>
public sealed record StoredPeriod(UsagePeriod Period, long Used, long? LimitValue);
