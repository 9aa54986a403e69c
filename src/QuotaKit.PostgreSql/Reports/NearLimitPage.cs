using NodaTime;

namespace QuotaKit.PostgreSql;

/// <summary>One subject's usage of a feature at or above the requested share of its limit.</summary>
/// <param name="SubjectId">The subject.</param>
/// <param name="FeatureKey">The feature.</param>
/// <param name="Used">Units used in the current period.</param>
/// <param name="Limit">The limit in force now (override, else plan, plus valid grants).</param>
/// <param name="Percent">Used as a percentage of the limit, rounded to two decimals.</param>
/// <param name="PeriodStart">Start of the current period (inclusive).</param>
/// <param name="PeriodEnd">End of the current period (exclusive).</param>
public sealed record NearLimitEntry(
    string SubjectId, string FeatureKey, long Used, long Limit, decimal Percent, Instant PeriodStart, Instant PeriodEnd);

/// <summary>A page of the near-limit report.</summary>
/// <param name="Entries">The page's rows, highest share first.</param>
/// <param name="Page">The 1-based page number.</param>
/// <param name="PageSize">The page size asked for.</param>
/// <param name="HasMore">Whether a next page has rows.</param>
public sealed record NearLimitPage(IReadOnlyList<NearLimitEntry> Entries, int Page, int PageSize, bool HasMore);
