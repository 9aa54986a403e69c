namespace QuotaKit.Testing;

/// <summary>Settings of a throwaway local PostgreSQL cluster started by <see cref="LocalPostgresServer"/>.</summary>
public sealed class LocalPostgresOptions
{
    /// <summary>
    /// Durable writes (<c>fsync</c> and <c>synchronous_commit</c> on). Off by default: a throwaway cluster for tests does not
    /// need to survive a power cut. Turn it on for benchmarks whose figures you quote.
    /// </summary>
    public bool Durable { get; set; }

    /// <summary>The server's <c>max_connections</c>. Default 300, enough for tests that race many connections.</summary>
    public int MaxConnections { get; set; } = 300;

    /// <summary>The superuser created by <c>initdb</c>. Default <c>quotakit</c>.</summary>
    public string UserName { get; set; } = "quotakit";

    /// <summary>Extra server settings passed as <c>-c name=value</c>, e.g. <c>shared_buffers</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The parent folder for the cluster's temporary folder. Default: the system temp folder.</summary>
    public string? ParentDirectory { get; set; }
}
