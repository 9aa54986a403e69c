namespace QuotaKit.Tool;

/// <summary>The tool's exit codes (README, "The quotakit tool").</summary>
internal static class ExitCodes
{
    /// <summary>Done; nothing needs attention.</summary>
    public const int Success = 0;

    /// <summary>An unexpected error.</summary>
    public const int Error = 1;

    /// <summary>Bad arguments or configuration: nothing was changed.</summary>
    public const int BadInput = 2;

    /// <summary>The command ran and found something to look at: discrepancies not repaired, import rows skipped or in conflict.</summary>
    public const int FoundProblems = 3;

    /// <summary>The database could not be reached.</summary>
    public const int DatabaseUnavailable = 4;
}
