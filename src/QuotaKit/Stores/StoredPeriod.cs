using NodaTime;

namespace QuotaKit;

/// <summary>One stored counter, as history reads it.</summary>
/// <param name="Period">The period.</param>
/// <param name="Used">The usage.</param>
/// <param name="LimitValue">The limit's number stored with the period's last write; <c>null</c> when it was unlimited.</param>
/// <param name="LastWriteAt">When the period's usage was last changed (<see cref="UsageWrite.RecordedAt"/> of the last
/// write that applied).</param>
public sealed record StoredPeriod(UsagePeriod Period, long Used, long? LimitValue, Instant LastWriteAt);
