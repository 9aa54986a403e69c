using Npgsql;

namespace QuotaKit.Testing;

/// <summary>
/// One PostgreSQL server per test process, shared by every test: a throwaway <see cref="LocalPostgresServer"/>, or the
/// existing server named by the <see cref="ConnectionStringVariable"/> environment variable. Each caller gets its own
/// fresh database through <see cref="CreateDatabaseAsync"/>, so test classes can run in parallel.
/// </summary>
public static class SharedPostgres
{
    /// <summary>
    /// Environment variable with the connection string of an existing server to use instead of a throwaway one.
    /// Its user needs the CREATEDB privilege; databases are created and dropped on it.
    /// </summary>
    public const string ConnectionStringVariable = "QUOTAKIT_TEST_CONNECTION_STRING";

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static LocalPostgresServer? _localServer;
    private static string? _serverConnectionString;

    /// <summary>Connection string to the server's maintenance database, starting the throwaway server on first use.</summary>
    public static async Task<string> GetServerConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        if (_serverConnectionString is not null)
        {
            return _serverConnectionString;
        }

        await StartLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_serverConnectionString is null)
            {
                var external = Environment.GetEnvironmentVariable(ConnectionStringVariable);
                if (string.IsNullOrWhiteSpace(external))
                {
                    _localServer = await LocalPostgresServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => _localServer.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    _serverConnectionString = _localServer.ConnectionString;
                }
                else
                {
                    _serverConnectionString = external;
                }
            }

            return _serverConnectionString;
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>Creates a new, empty database with a unique name and returns its connection string.</summary>
    /// <param name="namePrefix">A readable prefix for the database name (letters, digits, underscores).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task<string> CreateDatabaseAsync(string namePrefix = "quotakit_test", CancellationToken cancellationToken = default)
    {
        var serverConnectionString = await GetServerConnectionStringAsync(cancellationToken).ConfigureAwait(false);
        var name = $"{Sanitize(namePrefix)}_{Guid.NewGuid():N}"[..Math.Min(63, Sanitize(namePrefix).Length + 33)];
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database created by <see cref="CreateDatabaseAsync"/>, closing its connections first.</summary>
    public static async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        var serverConnectionString = await GetServerConnectionStringAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Sanitize(string prefix)
    {
        var clean = new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        clean = clean.Length == 0 ? "quotakit_test" : clean;
        return clean.Length > 28 ? clean[..28] : clean;
    }
}
