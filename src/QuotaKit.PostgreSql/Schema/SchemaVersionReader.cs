using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// Reads which version of QuotaKit's database objects a database has: <c>quotakit.schema_version()</c> from version 2 on;
/// version 1 (0.1.0) is recognised by its <c>record_usage</c> function; 0 means no QuotaKit schema.
/// </summary>
internal static class SchemaVersionReader
{
    private const string ProbeSql =
        """
        SELECT to_regprocedure('quotakit.schema_version()') IS NOT NULL,
               to_regprocedure('quotakit.record_usage(text, text, timestamptz, timestamptz, text, bigint, bigint, boolean, smallint, smallint, boolean, integer[], timestamptz, timestamptz, text, jsonb, boolean)') IS NOT NULL
        """;

    /// <exception cref="QuotaStoreUnavailableException">The database cannot be reached or refused the query.</exception>
    public static async Task<int> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadVersionAsync(dataSource, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.NothingWritten(exception, "a read of QuotaKit's schema version");
        }
    }

    /// <summary>The database's schema version, which must be at least the one this QuotaKit needs.</summary>
    /// <exception cref="QuotaKitSchemaVersionException">It is older, or there is no QuotaKit schema.</exception>
    /// <exception cref="QuotaStoreUnavailableException">The database cannot be reached or refused the query.</exception>
    public static async Task<int> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var version = await ReadAsync(dataSource, cancellationToken).ConfigureAwait(false);
        return version < FrozenObjects.CurrentVersion ? throw new QuotaKitSchemaVersionException(version, FrozenObjects.CurrentVersion) : version;
    }

    private static async Task<int> ReadVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        bool hasVersionFunction, hasVersion1;
        await using (var probe = dataSource.CreateCommand(ProbeSql))
        await using (var reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            hasVersionFunction = reader.GetBoolean(0);
            hasVersion1 = reader.GetBoolean(1);
        }

        if (!hasVersionFunction)
        {
            return hasVersion1 ? 1 : 0;
        }

        // A separate statement: the call cannot even be parsed where the function does not exist.
        await using var command = dataSource.CreateCommand("SELECT quotakit.schema_version()");
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
