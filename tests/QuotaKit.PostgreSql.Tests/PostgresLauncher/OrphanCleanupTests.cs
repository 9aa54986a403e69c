using System.Diagnostics;
using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.PostgresLauncher;

/// <summary>A cluster never outlives the process that started it, even when that process is killed.</summary>
public class OrphanCleanupTests
{
    [Fact]
    public async Task When_the_owner_process_is_killed_the_watchdog_stops_the_server_and_deletes_its_folder()
    {
        await using var server = await LocalPostgresServer.StartAsync();
        using var owner = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        OrphanedClusters.StartWatchdog(server.RootDirectory, Path.Combine(server.RootDirectory, "data"), owner.Id);

        owner.Kill();
        await owner.WaitForExitAsync();

        (await WaitUntilAsync(() => !Directory.Exists(server.RootDirectory), TimeSpan.FromSeconds(30)))
            .Should().BeTrue("the watchdog deletes the cluster's folder once its owner is gone");
        var connect = async () =>
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString + ";Pooling=false;Timeout=2");
            await connection.OpenAsync();
        };
        await connect.Should().ThrowAsync<NpgsqlException>("the watchdog stopped the server");
    }

    [Fact]
    public void A_launch_sweeps_up_folders_whose_owner_process_is_gone_and_keeps_live_ones()
    {
        var parent = Directory.CreateTempSubdirectory("quotakit-sweep-").FullName;
        try
        {
            var dead = Directory.CreateDirectory(Path.Combine(parent, "quotakit-pg-dead")).FullName;
            var alive = Directory.CreateDirectory(Path.Combine(parent, "quotakit-pg-alive")).FullName;
            using (var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
            {
                finished.WaitForExit();
                File.WriteAllText(Path.Combine(dead, "owner.pid"), finished.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            File.WriteAllText(Path.Combine(alive, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

            OrphanedClusters.RemoveDead(parent, "quotakit-pg-");

            Directory.Exists(dead).Should().BeFalse();
            Directory.Exists(alive).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
