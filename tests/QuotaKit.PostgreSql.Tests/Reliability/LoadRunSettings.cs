namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>The shape and bounds of a <see cref="LoadRun"/>: who calls, how many calls, for how long.</summary>
public sealed record LoadRunSettings
{
    public const string Feature = "calls";

    /// <summary>Concurrent callers.</summary>
    public int Workers { get; init; } = 16;

    /// <summary>Upper bound on calls per worker (retries not counted).</summary>
    public int MaxCallsPerWorker { get; init; } = 200;

    /// <summary>Upper bound on the run's duration; workers stop starting new calls after it.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one keyed call keeps retrying with its key before it is left to the settle phase.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Subjects whose calls carry an idempotency key and are retried until acknowledged.</summary>
    public int KeyedSubjects { get; init; } = 20;

    /// <summary>Subjects whose calls carry no key and are never retried.</summary>
    public int KeylessSubjects { get; init; } = 4;

    /// <summary>The per-subject hard limit of <see cref="Feature"/> (the hot subject is unlimited).</summary>
    public long Limit { get; init; } = 1_000_000;

    /// <summary>One subject in three calls goes to this hot counter (keyed, unlimited).</summary>
    public string HotSubject { get; init; } = "hot";

    public IEnumerable<string> KeyedSubjectIds => Enumerable.Range(0, KeyedSubjects).Select(i => $"keyed-{i}").Append(HotSubject);

    public IEnumerable<string> KeylessSubjectIds => Enumerable.Range(0, KeylessSubjects).Select(i => $"keyless-{i}");
}
