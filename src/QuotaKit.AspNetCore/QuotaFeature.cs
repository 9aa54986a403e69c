namespace QuotaKit.AspNetCore;

/// <summary>The gate's record of one request: what was charged (and may be refunded) and what to advertise in headers.</summary>
internal sealed class QuotaFeature(string subjectId, string? idempotencyKey) : IQuotaFeature
{
    // Refunds carry a key derived from the request (its Idempotency-Key, else an id made for it), so a refund is never
    // applied twice for one charge. Made only when a refund happens.
    private string? _refundKeyPrefix = idempotencyKey;

    private readonly List<UsageDecision> _decisions = [];
    private readonly List<string> _failedOpen = [];

    public string SubjectId => subjectId;

    public string? IdempotencyKey { get; } = idempotencyKey;

    public IReadOnlyList<UsageDecision> Decisions => _decisions;

    public bool IsReplay => _decisions.Exists(d => d.IsReplay);

    public IReadOnlyList<string> FailedOpenFeatures => _failedOpen;

    /// <summary>Consumed units per decision, so a refund gives back exactly what was charged.</summary>
    internal List<(IQuotaRequirementMetadata Requirement, long Amount)> Charges { get; } = [];

    /// <summary>Decisions to advertise in the RateLimit headers (refund answers replace the charge they undo).</summary>
    internal List<UsageDecision> Advertised { get; } = [];

    internal string RefundKey(string featureKey) =>
        $"{_refundKeyPrefix ??= Guid.NewGuid().ToString("N")}:{featureKey}:refund";

    internal void AddCharge(IQuotaRequirementMetadata requirement, long amount, UsageDecision decision)
    {
        _decisions.Add(decision);
        Charges.Add((requirement, amount));
        if (requirement.SendRateLimitHeaders)
        {
            Advertised.Add(decision);
        }
    }

    internal void AddFailedOpen(string featureKey) => _failedOpen.Add(featureKey);

    internal void ReplaceAdvertised(UsageDecision refund)
    {
        var index = Advertised.FindIndex(d => d.FeatureKey == refund.FeatureKey);
        if (index >= 0)
        {
            Advertised[index] = refund;
        }
    }
}
