using System.Diagnostics;
using System.Globalization;

namespace QuotaKit.Testing;

/// <summary>
/// Makes sure throwaway clusters never outlive the process that started them, even when that process is killed:
/// a detached watchdog stops the server and deletes its folder once the owner is gone, and each new launch sweeps up
/// clusters whose owner died while no watchdog was running.
/// </summary>
internal static class OrphanedClusters
{
    private const string OwnerFile = "owner.pid";

    private const string WatchdogScript =
        """
        exec >/dev/null 2>&1 </dev/null
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        if [ -f "$3/postmaster.pid" ]; then
          pid=$(head -n 1 "$3/postmaster.pid")
          kill -QUIT "$pid" 2>/dev/null
          for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
          kill -KILL "$pid" 2>/dev/null
        fi
        rm -rf "$2"
        """;

    public static void RecordOwner(string rootDirectory) =>
        File.WriteAllText(Path.Combine(rootDirectory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Starts a detached shell that waits for this process to exit, then stops the cluster and deletes it.</summary>
    public static void StartWatchdog(string rootDirectory, string dataDirectory) =>
        StartWatchdog(rootDirectory, dataDirectory, Environment.ProcessId);

    /// <summary>Starts a detached shell that waits for <paramref name="ownerProcessId"/> to exit, then stops the cluster
    /// and deletes it.</summary>
    public static void StartWatchdog(string rootDirectory, string dataDirectory, int ownerProcessId)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The sweep on the next launch is the only cleanup there.
        }

        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "sh", "-c", WatchdogScript, "quotakit-pg-watchdog",
                     ownerProcessId.ToString(CultureInfo.InvariantCulture), rootDirectory, dataDirectory,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var _ = Process.Start(startInfo);
    }

    /// <summary>Stops and deletes every cluster under <paramref name="parent"/> whose owner process no longer exists.</summary>
    public static void RemoveDead(string parent, string folderPrefix)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(parent, folderPrefix + "*"))
        {
            var ownerFile = Path.Combine(directory, OwnerFile);
            if (File.Exists(ownerFile) && int.TryParse(File.ReadAllText(ownerFile), out var owner) && !IsAlive(owner))
            {
                KillAndDelete(directory);
            }
        }
    }

    /// <summary>Kills the cluster's server, if it still runs, and deletes its folder.</summary>
    public static void KillAndDelete(string rootDirectory)
    {
        var pidFile = Path.Combine(rootDirectory, "data", "postmaster.pid");
        try
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var serverPid) && IsAlive(serverPid))
            {
                using var server = Process.GetProcessById(serverPid);
                server.Kill(entireProcessTree: true);
                server.WaitForExit(10_000);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
        {
            // The server exited on its own in the meantime.
        }

        try
        {
            Directory.Delete(rootDirectory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort: a folder left behind is swept by the next launch.
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
