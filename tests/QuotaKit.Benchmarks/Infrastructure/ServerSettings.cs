using Npgsql;

namespace QuotaKit.Benchmarks.Infrastructure;

/// <summary>The server settings that decide the figures, read from the server itself.</summary>
internal sealed record ServerSettings(IReadOnlyList<(string Name, string Value)> Values)
{
    private static readonly string[] Names =
        ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_connections"];

    public static async Task<ServerSettings> ReadAsync(NpgsqlDataSource dataSource)
    {
        var values = new List<(string, string)>();
        foreach (var name in Names)
        {
            await using var command = dataSource.CreateCommand($"SHOW {name}");
            values.Add((name, (string)(await command.ExecuteScalarAsync())!));
        }

        return new ServerSettings(values);
    }

    public bool IsDurable => Get("fsync") == "on" && Get("synchronous_commit") == "on";

    public string Get(string name) => Values.First(v => v.Name == name).Value;

    public string ToMarkdown() => string.Join(", ", Values.Select(v => $"{v.Name}={v.Value}"));
}
