using System.Diagnostics;

namespace QuotaKit.PostgreSql.Tests.Samples;

/// <summary>
/// Runs the built console sample with <c>dotnet</c> in its own process. The test project references the sample project
/// (without its assembly) so it is built first, in the same configuration, next to this test assembly's layout.
/// </summary>
internal static class SampleProcess
{
    private const string SampleName = "QuotaKit.Samples.Console";

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string AllOutput => $"--- stdout ---{Environment.NewLine}{StandardOutput}{Environment.NewLine}--- stderr ---{Environment.NewLine}{StandardError}";
    }

    /// <summary>Runs the sample against <paramref name="connectionString"/>, or its own throwaway server when null.</summary>
    public static async Task<Result> RunAsync(string? connectionString, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(QuotaKit.Tests.Shared.BuiltSample.FindDll(SampleName, "QuotaKit.PostgreSql.Tests"));
        if (connectionString is not null)
        {
            start.ArgumentList.Add(connectionString);
        }

        start.Environment.Remove("QUOTAKIT_CONNECTION_STRING");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {timeout}. Output so far:{Environment.NewLine}{await output}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
