using Npgsql;
using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// One database per test process with QuotaKit's shipped migrations applied, used as the template of every
/// <see cref="MigratedDatabase"/>: copying it (<c>CREATE DATABASE ... TEMPLATE</c>) takes a fraction of the time of
/// migrating each new database, which is most of a behaviour test's time (and of a mutation run's, which repeats them).
/// The migrations themselves are tested on fresh databases by the migration tests.
/// </summary>
internal static class MigratedTemplate
{
    private static readonly SemaphoreSlim CreateLock = new(1, 1);
    private static string? _templateName;

    /// <summary>Creates a new database, a copy of the migrated template, and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string namePrefix)
    {
        var template = await GetTemplateAsync();
        var server = await SharedPostgres.GetServerConnectionStringAsync();
        var prefix = new string(namePrefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(28).ToArray());
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task<string> GetTemplateAsync()
    {
        if (_templateName is not null)
        {
            return _templateName;
        }

        await CreateLock.WaitAsync();
        try
        {
            if (_templateName is null)
            {
                var connectionString = await SharedPostgres.CreateDatabaseAsync("migrated_template");
                // Without pooling no idle connection stays on the template: PostgreSQL copies only a database nobody is in.
                await QuotaKitContexts.MigrateAsync(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                _templateName = new NpgsqlConnectionStringBuilder(connectionString).Database!;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => SharedPostgres.DropDatabaseAsync(connectionString).GetAwaiter().GetResult();
            }

            return _templateName;
        }
        finally
        {
            CreateLock.Release();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
