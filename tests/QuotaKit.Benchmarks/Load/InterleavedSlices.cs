namespace QuotaKit.Benchmarks.Load;

/// <summary>
/// Runs several contenders at one concurrency in interleaved slices (contender 1, 2, ... n, then again, for
/// <see cref="BenchmarkOptions.Slices"/> slices), so that a drift of the machine's speed spreads over every contender
/// alike, and merges each contender's slices into one result.
/// </summary>
internal static class InterleavedSlices
{
    /// <param name="options">Slices, their length and their warm-ups.</param>
    /// <param name="concurrency">Callers per slice.</param>
    /// <param name="operations">One operation per contender; each gets the caller's running count, for choosing a subject.</param>
    /// <returns>One merged result per contender, in the order of <paramref name="operations"/>.</returns>
    public static async Task<RoundResult[]> RunAsync(BenchmarkOptions options, int concurrency, IReadOnlyList<Func<int, Task<bool>>> operations)
    {
        var samples = operations.Select(_ => new List<RoundSample>()).ToArray();
        for (var slice = 0; slice < options.Slices; slice++)
        {
            for (var c = 0; c < operations.Count; c++)
            {
                var warmUp = slice == 0 ? options.WarmUpDuration : options.SliceWarmUpDuration;
                samples[c].Add(await LoadRound.RunAsync(concurrency, warmUp, options.SliceDuration, operations[c]));
            }
        }

        return [.. samples.Select(s => RoundResult.Merge(concurrency, s))];
    }
}
