using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace QuotaKit.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster: created with <c>initdb</c> in a temporary folder, listening on a free loopback port,
/// stopped and deleted on dispose. When the process is root the server runs as the <c>postgres</c> OS user (PostgreSQL
/// refuses to run as root). A watchdog process stops and deletes the cluster if this process dies without disposing it.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    private const string FolderPrefix = "quotakit-pg-";
    private readonly string _binDirectory;
    private readonly bool _runAsPostgresUser;
    private bool _disposed;

    private LocalPostgresServer(string binDirectory, string rootDirectory, int port, string userName, bool runAsPostgresUser)
    {
        _binDirectory = binDirectory;
        RootDirectory = rootDirectory;
        Port = port;
        UserName = userName;
        _runAsPostgresUser = runAsPostgresUser;
    }

    /// <summary>The temporary folder holding the cluster's data, socket and log.</summary>
    public string RootDirectory { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The superuser name (no password; the cluster trusts loopback connections).</summary>
    public string UserName { get; }

    /// <summary>Connection string to the <c>postgres</c> maintenance database.</summary>
    public string ConnectionString => GetConnectionString("postgres");

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    private string LogFile => Path.Combine(RootDirectory, "server.log");

    /// <summary>Connection string to <paramref name="database"/> on this server.</summary>
    public string GetConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = UserName,
        Database = database,
        Pooling = true,
        MaxPoolSize = 200,
    }.ConnectionString;

    /// <summary>Creates, starts and waits for a new cluster.</summary>
    /// <exception cref="InvalidOperationException">The binaries are missing or the server did not start; the message says why.</exception>
    public static async Task<LocalPostgresServer> StartAsync(
        LocalPostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalPostgresOptions();
        var binDirectory = PostgresBinaries.FindBinDirectory();
        var parent = options.ParentDirectory ?? Path.GetTempPath();
        OrphanedClusters.RemoveDead(parent, FolderPrefix);

        var runAsPostgresUser = ProcessIdentity.IsRoot;
        var root = Path.Combine(parent, FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        OrphanedClusters.RecordOwner(root);
        try
        {
            var server = new LocalPostgresServer(binDirectory, root, FreeLoopbackPort(), options.UserName, runAsPostgresUser);
            if (runAsPostgresUser)
            {
                await CommandRunner.RunAsync("chown", ["-R", "postgres", root], cancellationToken).ConfigureAwait(false);
            }

            await server.InitDbAsync(cancellationToken).ConfigureAwait(false);
            OrphanedClusters.StartWatchdog(root, server.DataDirectory);
            await server.StartServerAsync(options, cancellationToken).ConfigureAwait(false);
            await server.WaitUntilAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            OrphanedClusters.KillAndDelete(root);
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPgToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone, or refusing to stop: the kill below makes sure.
        }

        OrphanedClusters.KillAndDelete(RootDirectory);
    }

    /// <summary>
    /// Restarts the server with a fast shutdown (<c>pg_ctl restart -m fast</c>): open sessions are terminated, committed
    /// work is flushed by the shutdown checkpoint, and the server comes back on the same port with the same settings.
    /// Returns once it accepts connections again. For tests of how clients survive a database restart.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await RunPgToolAsync("pg_ctl", ["restart", "-D", DataDirectory, "-m", "fast", "-l", LogFile, "-w", "-t", "60"],
            cancellationToken).ConfigureAwait(false);
        await WaitUntilAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates and starts a streaming standby of this server: a base backup taken with <c>pg_basebackup -R</c> (which
    /// writes the standby's connection to this server), started as a hot standby on its own free port and folder, and
    /// returned once it accepts read-only connections and streams. Dispose it before this server. For tests of reads from
    /// a replica: pause its replay with <c>SELECT pg_wal_replay_pause()</c> to see it lag.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>pg_basebackup</c> failed or the standby did not start or stream in 30 s; the
    /// message says why.</exception>
    public async Task<LocalPostgresServer> StartStandbyAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var parent = Path.GetDirectoryName(RootDirectory)!;
        var root = Path.Combine(parent, FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        OrphanedClusters.RecordOwner(root);
        try
        {
            var standby = new LocalPostgresServer(_binDirectory, root, FreeLoopbackPort(), UserName, _runAsPostgresUser);
            if (_runAsPostgresUser)
            {
                await CommandRunner.RunAsync("chown", ["-R", "postgres", root], cancellationToken).ConfigureAwait(false);
            }

            // The primary's default pg_hba.conf (initdb -A trust) allows loopback replication; wal_level is replica by default.
            await RunPgToolAsync("pg_basebackup",
                ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-D", standby.DataDirectory,
                 "-R", "-X", "stream", "--no-sync", "-c", "fast"],
                cancellationToken).ConfigureAwait(false);
            OrphanedClusters.StartWatchdog(root, standby.DataDirectory);
            await standby.StartServerAsync(new LocalPostgresOptions { Settings = { ["hot_standby"] = "on" } }, cancellationToken).ConfigureAwait(false);
            await standby.WaitUntilAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false);
            await WaitUntilStreamingAsync(cancellationToken).ConfigureAwait(false);
            return standby;
        }
        catch
        {
            OrphanedClusters.KillAndDelete(root);
            throw;
        }
    }

    private async Task WaitUntilStreamingAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", connection);
        while ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The standby of the PostgreSQL server on port {Port} did not start streaming within 30 s.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<string> InitDbAsync(CancellationToken cancellationToken) =>
        RunPgToolAsync("initdb",
            ["-D", DataDirectory, "-A", "trust", "-U", UserName, "-E", "UTF8", "--no-locale", "--no-sync"],
            cancellationToken);

    private async Task StartServerAsync(LocalPostgresOptions options, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listen_addresses"] = "127.0.0.1",
            ["port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = RootDirectory,
            ["max_connections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["fsync"] = options.Durable ? "on" : "off",
            ["synchronous_commit"] = options.Durable ? "on" : "off",
            ["full_page_writes"] = options.Durable ? "on" : "off",
        };
        foreach (var (name, value) in options.Settings)
        {
            settings[name] = value;
        }

        var serverOptions = string.Join(' ', settings.Select(s => $"-c {s.Key}={s.Value}"));
        try
        {
            // pg_ctl's own progress lines are captured (they would land in the caller's console); the server's output
            // goes to the log file (-l), so the server does not hold the captured pipes open.
            await RunPgToolAsync("pg_ctl",
                ["start", "-D", DataDirectory, "-l", LogFile, "-o", serverOptions, "-w", "-t", "60"],
                cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken).ConfigureAwait(false) : "";
            throw new InvalidOperationException($"PostgreSQL did not start on port {Port}. Server log:{Environment.NewLine}{log}", exception);
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<string> RunPgToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_binDirectory, PostgresBinaries.ExecutableName(tool));
        return _runAsPostgresUser
            ? CommandRunner.RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments], cancellationToken)
            : CommandRunner.RunAsync(executable, arguments, cancellationToken);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
