using NodaTime;

namespace QuotaKit.Testing;

/// <summary>The first call made with an idempotency key, and the decision it got.</summary>
internal sealed record IdempotencyRecord(string FeatureKey, UsageOperation Operation, long Amount, UsageDecision Decision, Instant RecordedAt)
{
    /// <summary>Describes how a later call differs from the first one; <c>null</c> when it is the same call.</summary>
    public string? DifferenceFrom(string featureKey, UsageOperation operation, long amount)
    {
        if (featureKey != FeatureKey)
        {
            return $"feature '{featureKey}' instead of '{FeatureKey}'";
        }

        if (operation != Operation)
        {
            return $"operation '{operation.Name()}' instead of '{Operation.Name()}'";
        }

        return amount != Amount ? $"amount {amount} instead of {Amount}" : null;
    }

    /// <summary>The first call's decision, marked as a replay.</summary>
    public UsageDecision Replay() =>
        new(Decision.SubjectId, Decision.FeatureKey, Decision.Outcome, Decision.Used, Decision.Limit, Decision.Period, isReplay: true);
}
