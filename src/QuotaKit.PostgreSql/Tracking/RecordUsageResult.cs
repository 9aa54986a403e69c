
namespace QuotaKit.PostgreSql;

/// <summary>What <c>quotakit.record_usage</c> answered: the fresh outcome, or the first call's stored answer for a replay.</summary>
internal readonly record struct RecordUsageResult(
    UsageOutcome Outcome,
    long Used,
    int AlertedBefore,
    int AlertedAfter,
    StoredCall? Replay);

/// <summary>The first call with an idempotency key, as stored in the ledger.</summary>
internal sealed record StoredCall(string FeatureKey, string Operation, long Amount, UsagePeriod Period, FeatureLimit Limit);
