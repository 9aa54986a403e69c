using System.Diagnostics;

namespace QuotaKit.Testing;

/// <summary>Finds the PostgreSQL server binaries (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>) on this machine.</summary>
public static class PostgresBinaries
{
    /// <summary>Environment variable naming the folder that holds <c>initdb</c> and <c>pg_ctl</c>; checked first.</summary>
    public const string BinDirectoryVariable = "QUOTAKIT_PG_BINDIR";

    /// <summary>
    /// Returns the folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>. Looks at
    /// <see cref="BinDirectoryVariable"/>, then <c>PATH</c>, then <c>pg_config --bindir</c>, then
    /// <c>/usr/lib/postgresql/*/bin</c> and <c>/usr/pgsql-*/bin</c> (newest version first).
    /// </summary>
    /// <exception cref="InvalidOperationException">No server binaries were found; the message says what to install.</exception>
    public static string FindBinDirectory() => FindBinDirectory(Candidates());

    internal static string FindBinDirectory(IEnumerable<string?> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (candidate is not null && IsServerBinDirectory(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "QuotaKit needs PostgreSQL to run these tests, but no PostgreSQL server binaries (initdb, pg_ctl, postgres) " +
            "were found on PATH, through 'pg_config --bindir', or under /usr/lib/postgresql/*/bin. Install the server " +
            "(Debian/Ubuntu: 'apt-get install postgresql'; macOS: 'brew install postgresql'), set " +
            $"{BinDirectoryVariable} to the folder holding initdb, or set {SharedPostgres.ConnectionStringVariable} " +
            "to the connection string of an existing server (its user needs CREATEDB).");
    }

    private static IEnumerable<string?> Candidates()
    {
        yield return Environment.GetEnvironmentVariable(BinDirectoryVariable);
        yield return FromPath();
        yield return FromPgConfig();
        foreach (var directory in VersionedDirectories("/usr/lib/postgresql", "*").Select(d => Path.Combine(d, "bin")))
        {
            yield return directory;
        }

        foreach (var directory in VersionedDirectories("/usr", "pgsql-*").Select(d => Path.Combine(d, "bin")))
        {
            yield return directory;
        }
    }

    /// <summary>Sub-folders of <paramref name="parent"/> matching <paramref name="pattern"/>, highest version first.</summary>
    private static IEnumerable<string> VersionedDirectories(string parent, string pattern) =>
        Directory.Exists(parent)
            ? Directory.GetDirectories(parent, pattern).OrderByDescending(d => VersionOf(Path.GetFileName(d)))
            : [];

    private static double VersionOf(string name) =>
        double.TryParse(name.Replace("pgsql-", "", StringComparison.Ordinal), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : 0;

    private static string? FromPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = new FileInfo(Path.Combine(directory, ExecutableName("initdb")));
            if (initdb.Exists)
            {
                // Follow symlinks (e.g. /usr/local/bin/initdb) to the folder that also holds postgres and pg_ctl.
                var target = initdb.ResolveLinkTarget(returnFinalTarget: true) ?? initdb;
                return Path.GetDirectoryName(target.FullName);
            }
        }

        return null;
    }

    private static string? FromPgConfig()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_config is not installed
        }
    }

    private static bool IsServerBinDirectory(string directory) =>
        File.Exists(Path.Combine(directory, ExecutableName("initdb"))) &&
        File.Exists(Path.Combine(directory, ExecutableName("pg_ctl"))) &&
        File.Exists(Path.Combine(directory, ExecutableName("postgres")));

    internal static string ExecutableName(string name) => OperatingSystem.IsWindows() ? name + ".exe" : name;
}
