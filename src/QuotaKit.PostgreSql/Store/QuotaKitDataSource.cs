using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The <see cref="NpgsqlDataSource"/> QuotaKit uses, held in a type of its own so it never clashes with a data source the
/// host registers. Disposed with the container only when QuotaKit created it from a connection string.
/// </summary>
internal sealed class QuotaKitDataSource : IAsyncDisposable, IDisposable
{
    private readonly bool _owned;
    private readonly string? _listenerConnectionString;

    /// <param name="dataSource">The data source.</param>
    /// <param name="owned">Whether QuotaKit created it (and disposes it).</param>
    /// <param name="connectionString">The connection string it was created from, when QuotaKit created it: the change
    /// listener then opens its long-lived connection outside the pool.</param>
    public QuotaKitDataSource(NpgsqlDataSource dataSource, bool owned, string? connectionString = null)
    {
        DataSource = dataSource;
        _owned = owned;
        if (connectionString is not null)
        {
            _listenerConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        }
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Opens the connection the change listener holds for as long as it listens: outside the pool when QuotaKit has the
    /// connection string (so it never takes a slot writes need), else one connection of the host's data source.
    /// </summary>
    public async Task<NpgsqlConnection> OpenListenerConnectionAsync(CancellationToken cancellationToken)
    {
        if (_listenerConnectionString is null)
        {
            return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new NpgsqlConnection(_listenerConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _owned ? DataSource.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (_owned)
        {
            DataSource.Dispose();
        }
    }
}
