using System.Diagnostics;
using System.Text;

namespace QuotaKit.Testing;

/// <summary>Runs a short-lived command, captures its output and fails with that output when it exits non-zero.</summary>
internal static class CommandRunner
{
    public static async Task<string> RunAsync(
        string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool captureOutput = true)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = captureOutput,
            RedirectStandardError = captureOutput,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start '{fileName}'.");
        var output = new StringBuilder();
        Task readOut = Task.CompletedTask, readErr = Task.CompletedTask;
        if (captureOutput)
        {
            readOut = CopyAsync(process.StandardOutput, output);
            readErr = CopyAsync(process.StandardError, output);
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(readOut, readErr).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with code {process.ExitCode}:{Environment.NewLine}{output}");
        }

        return output.ToString();
    }

    private static async Task CopyAsync(StreamReader reader, StringBuilder into)
    {
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        lock (into)
        {
            into.Append(text);
        }
    }
}
