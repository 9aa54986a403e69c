using System.Diagnostics;
using System.Net;
using System.Text;

using QuotaKit.AspNetCore.Tests.Infrastructure;
using QuotaKit.Tests.Shared;

namespace QuotaKit.AspNetCore.Tests.Sample;

/// <summary>
/// The built web sample, run with <c>dotnet</c> in its own process on real Kestrel, on a free loopback port, against
/// the given database.
/// </summary>
internal sealed class WebSampleProcess : IAsyncDisposable
{
    private const string SampleName = "QuotaKit.Samples.WebApi";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WebSampleProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<WebSampleProcess> StartAsync(string connectionString, TimeSpan timeout)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BuiltSample.FindDll(SampleName, "QuotaKit.AspNetCore.Tests"));
        start.ArgumentList.Add(connectionString);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString());
        start.Environment.Remove("QUOTAKIT_CONNECTION_STRING");
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the web sample.");
        var sample = new WebSampleProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await sample.WaitUntilHealthyAsync(timeout);
        return sample;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The web sample exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
            }

            try
            {
                if ((await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The web sample was not healthy within {timeout}. Output:{Environment.NewLine}{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
