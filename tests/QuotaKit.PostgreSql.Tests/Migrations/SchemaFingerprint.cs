using Npgsql;

namespace QuotaKit.PostgreSql.Tests.Migrations;

/// <summary>
/// What exists in the quotakit schema: tables, columns with types, constraints, indexes and functions. The report objects
/// generated from configuration (ReportObjectsSql.ObjectNames) are left out: they are not part of the migrations, and the
/// Reports tests cover them.
/// </summary>
public sealed record SchemaFingerprint(
    IReadOnlyList<string> Tables, IReadOnlyList<string> Columns, IReadOnlyList<string> Constraints, IReadOnlyList<string> Indexes,
    IReadOnlyList<string> Functions)
{
    public static async Task<SchemaFingerprint> ReadAsync(NpgsqlDataSource dataSource) => new(
        await ListAsync(dataSource, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'quotakit'"),
        await ListAsync(dataSource,
            "SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_schema = 'quotakit'"),
        await ListAsync(dataSource,
            "SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'quotakit'::regnamespace"),
        await ListAsync(dataSource, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'quotakit'"),
        await ListAsync(dataSource, "SELECT proname || ':' || md5(regexp_replace(prosrc, '\\s+', ' ', 'g')) FROM pg_proc WHERE pronamespace = 'quotakit'::regnamespace"));

    public IEnumerable<string> ConstraintNames => Constraints.Select(c => c.Split(':')[0]);

    public IEnumerable<string> FunctionNames => Functions.Select(f => f.Split(':')[0]);

    private static async Task<IReadOnlyList<string>> ListAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql + " ORDER BY 1");
        var generated = ReportObjectsSql.ObjectNames;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            var value = reader.GetString(0);
            if (!generated.Any(name => value == name || value.StartsWith(name + ".", StringComparison.Ordinal) || value.StartsWith(name + ":", StringComparison.Ordinal)))
            {
                values.Add(value);
            }
        }

        return values;
    }
}
