using System.Diagnostics;
using System.Text;

namespace QuotaKit.Testing;

/// <summary>Runs a short-lived command, captures its output and fails with that output when it exits non-zero.</summary>
internal static class CommandRunner
{
    // How long to wait for the rest of the output once the command has exited. Only a background process that
    // inherited the pipes (a server started without its own log file) keeps them open longer; its output is not ours.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
        var reads = Task.WhenAll(CopyAsync(process.StandardOutput, output), CopyAsync(process.StandardError, output));
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await reads.WaitAsync(OutputDrainTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Exited, but a process it started still holds the pipes: what we read so far is the command's output.
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with code {process.ExitCode}:{Environment.NewLine}{Text(output)}");
        }

        return Text(output);
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
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
