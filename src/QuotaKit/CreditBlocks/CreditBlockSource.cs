namespace QuotaKit;

/// <summary>Where a credit block came from.</summary>
public enum CreditBlockSource
{
    /// <summary>Added by <see cref="IQuotaAdministration.AddCreditBlockAsync"/>.</summary>
    Grant = 0,

    /// <summary>Carried over from the previous period's unused allowance (<see cref="FeatureDefinition.Rollover"/>).</summary>
    Rollover = 1,
}
