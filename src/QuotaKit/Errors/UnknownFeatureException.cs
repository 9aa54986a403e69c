namespace QuotaKit;

/// <summary>Thrown when a feature key is not declared in QuotaKit's configuration.</summary>
public sealed class UnknownFeatureException : QuotaKitException
{
    /// <summary>Creates the exception for <paramref name="featureKey"/>.</summary>
    public UnknownFeatureException(string featureKey)
        : base($"Unknown feature '{featureKey}'. Declare it with AddQuotaKit(q => q.AddFeature(...)) or in the QuotaKit configuration section.")
    {
        FeatureKey = featureKey;
    }

    /// <summary>The key that was not found.</summary>
    public string FeatureKey { get; }
}
