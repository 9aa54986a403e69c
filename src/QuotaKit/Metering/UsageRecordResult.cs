namespace QuotaKit;

/// <summary>The result of one record of <see cref="IUsageMeter.RecordAsync"/>: its decision, or the error that failed it alone.</summary>
public sealed class UsageRecordResult
{
    private UsageRecordResult(int index, UsageRecord record, UsageDecision? decision, Exception? error)
    {
        Index = index;
        Record = record;
        Decision = decision;
        Error = error;
    }

    /// <summary>The record's position in the list passed in.</summary>
    public int Index { get; }

    /// <summary>The record.</summary>
    public UsageRecord Record { get; }

    /// <summary>Whether the record was decided (see <see cref="Decision"/>); false when <see cref="Error"/> failed it.</summary>
    public bool Succeeded => Decision is not null;

    /// <summary>The decision, as <see cref="IUsageTracker.IncrementAsync"/> would answer it; <c>null</c> when the record failed.</summary>
    public UsageDecision? Decision { get; }

    /// <summary>
    /// What failed the record, the exception the single call would have thrown: a <see cref="QuotaKitException"/> for bad
    /// input or a store failure (<see cref="QuotaStoreUnavailableException.OutcomeUnknown"/> says whether it may have been
    /// written), or an <see cref="OperationCanceledException"/> for a chunk not sent; <c>null</c> when it succeeded.
    /// </summary>
    public Exception? Error { get; }

    internal static UsageRecordResult Decided(int index, UsageRecord record, UsageDecision decision) => new(index, record, decision, null);

    internal static UsageRecordResult Failed(int index, UsageRecord record, Exception error) => new(index, record, null, error);

    /// <inheritdoc />
    public override string ToString() => Decision?.ToString() ?? $"record {Index} failed: {Error!.Message}";
}
