namespace QuotaKit;

/// <summary>Thrown when a plan key is not declared in QuotaKit's configuration.</summary>
public sealed class UnknownPlanException : QuotaKitException
{
    /// <summary>Creates the exception for <paramref name="planKey"/>.</summary>
    public UnknownPlanException(string planKey)
        : base($"Unknown plan '{planKey}'. Declare it with AddQuotaKit(q => q.AddPlan(...)) or in the QuotaKit configuration section.")
    {
        PlanKey = planKey;
    }

    /// <summary>The key that was not found.</summary>
    public string PlanKey { get; }
}
