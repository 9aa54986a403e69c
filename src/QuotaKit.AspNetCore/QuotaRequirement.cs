namespace QuotaKit.AspNetCore;

/// <summary>A minimal API endpoint's (or route group's) quota: which feature, how much, and how it is charged.</summary>
public sealed class QuotaRequirement : IQuotaRequirementMetadata
{
    private Func<QuotaRequestContext, ValueTask<long>>? _amountFrom;

    /// <summary>Creates a requirement of one unit of <paramref name="featureKey"/>.</summary>
    public QuotaRequirement(string featureKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureKey);
        FeatureKey = featureKey;
    }

    /// <inheritdoc />
    public string FeatureKey { get; }

    /// <summary>A constant amount per request. Default 1.</summary>
    public long Amount { get; set; } = 1;

    /// <inheritdoc />
    public bool ChargeOnlyOnSuccess { get; set; }

    /// <inheritdoc />
    public bool SendRateLimitHeaders { get; set; } = true;

    /// <summary>
    /// Computes the amount from the request instead of <see cref="Amount"/>: see <see cref="QuotaAmount"/> for route,
    /// query, header and body amounts. Throw <see cref="QuotaRequestException"/> for a bad value (answered with 400).
    /// </summary>
    public QuotaRequirement AmountFrom(Func<QuotaRequestContext, ValueTask<long>> amount)
    {
        _amountFrom = amount ?? throw new ArgumentNullException(nameof(amount));
        return this;
    }

    /// <inheritdoc />
    public ValueTask<long> GetAmountAsync(QuotaRequestContext context) =>
        _amountFrom is null ? ValueTask.FromResult(Amount) : _amountFrom(context);
}
