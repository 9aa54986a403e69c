namespace QuotaKit.Benchmarks;

/// <summary>The command line: <c>[--quick] [--no-durable] [--connection CS] [--load-only | --micro-only | --subjects-only | --http-only | --http-in-memory | --batch-only | --reports-only | --reservations-only | --credit-blocks-only]</c>.</summary>
internal sealed record BenchmarkOptions
{
    public const string ConnectionStringVariable = "QUOTAKIT_BENCH_CONNECTION_STRING";

    public bool Quick { get; init; }

    public bool Durable { get; init; } = true;

    public string? ConnectionString { get; init; }

    public bool RunLoad { get; init; } = true;

    public bool RunMicro { get; init; } = true;

    /// <summary>Only the subject-context scenarios (1M subjects, 10k with default settings), nothing else.</summary>
    public bool RunSubjectsOnly { get; init; }

    /// <summary>Only the HTTP gate comparison (<c>/gated</c> against <c>/manual</c>), nothing else.</summary>
    public bool RunHttpOnly { get; init; }

    /// <summary>Only batched metering beside the per-call path (and coalescing, when on), nothing else.</summary>
    public bool RunBatchOnly { get; init; }
    /// <summary>Only the wide usage report (quotakit.feature_usage) against a hand-written wide table.</summary>
    public bool RunReportsOnly { get; init; }

    public bool RunReservationsOnly { get; init; }

    public bool RunCreditBlocksOnly { get; init; }

    /// <summary>The HTTP comparison on the in-memory store: the gate's own cost without the database's.</summary>
    public bool HttpInMemory { get; init; }

    /// <summary>
    /// Each contender's measured time at one concurrency is cut into this many slices, run in turn with the other
    /// contenders' (A B C A B C ...), so a slow spell of the disk or a checkpoint hits all of them alike.
    /// </summary>
    public int Slices => Quick ? 3 : 5;

    /// <summary>Measured time per slice: 5 s per contender and concurrency in total (quick: 1.5 s).</summary>
    public TimeSpan SliceDuration => Quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(1);

    /// <summary>Warm-up before a contender's first slice at a concurrency (not measured).</summary>
    public TimeSpan WarmUpDuration => Quick ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(2);

    /// <summary>Warm-up before each later slice: the workers start again, the pool is already warm.</summary>
    public TimeSpan SliceWarmUpDuration => TimeSpan.FromSeconds(0.2);

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions { ConnectionString = NullIfBlank(Environment.GetEnvironmentVariable(ConnectionStringVariable)) };
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--no-durable" => options with { Durable = false },
                "--connection" when i + 1 < args.Length => options with { ConnectionString = args[++i] },
                "--load-only" => options with { RunMicro = false },
                "--micro-only" => options with { RunLoad = false },
                "--subjects-only" => options with { RunLoad = false, RunMicro = false, RunSubjectsOnly = true },
                "--http-only" => options with { RunLoad = false, RunMicro = false, RunHttpOnly = true },
                "--batch-only" => options with { RunLoad = false, RunMicro = false, RunBatchOnly = true },
                "--reports-only" => options with { RunLoad = false, RunMicro = false, RunReportsOnly = true },
                "--reservations-only" => options with { RunLoad = false, RunMicro = false, RunReservationsOnly = true },
                "--credit-blocks-only" => options with { RunLoad = false, RunMicro = false, RunCreditBlocksOnly = true },
                "--http-in-memory" => options with { RunLoad = false, RunMicro = false, RunHttpOnly = true, HttpInMemory = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}"),
            };
        }

        return options;
    }

    public const string Usage =
        "Usage: dotnet run -c Release --project tests/QuotaKit.Benchmarks -- [--quick] [--no-durable] [--connection \"Host=...\"] [--load-only | --micro-only | --subjects-only | --http-only | --http-in-memory | --batch-only | --reports-only | --reservations-only | --credit-blocks-only]";

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
