using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QuotaKit.AspNetCore.Tests.Sample;

/// <summary>
/// The built web sample, run with <c>dotnet</c> in its own process on real Kestrel, on a free loopback port, against
/// the given database. The test project references the sample (without its assembly) so it is built first, in the same
/// configuration.
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
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(FindSampleDll());
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>samples/QuotaKit.Samples.WebApi/bin/&lt;configuration&gt;/&lt;tfm&gt;/, mirroring this test assembly's folder.</summary>
    private static string FindSampleDll()
    {
        var testOutput = AppContext.BaseDirectory;
        var root = new DirectoryInfo(testOutput);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "QuotaKit.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"QuotaKit.sln was not found above {testOutput}.");
        }

        var relativeOutput = Path.GetRelativePath(Path.Combine(root.FullName, "tests", "QuotaKit.AspNetCore.Tests"), testOutput);
        var dll = Path.Combine(root.FullName, "samples", SampleName, relativeOutput, SampleName + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The built web sample was not found at {dll}; build the solution first (dotnet build QuotaKit.sln).", dll);
    }
}
