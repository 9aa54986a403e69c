using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The <see cref="NpgsqlDataSource"/> QuotaKit uses, held in a type of its own so it never clashes with a data source the
/// host registers. Disposed with the container only when QuotaKit created it from a connection string.
/// </summary>
internal sealed class QuotaKitDataSource : IAsyncDisposable, IDisposable
{
    private readonly bool _owned;

    public QuotaKitDataSource(NpgsqlDataSource dataSource, bool owned)
    {
        DataSource = dataSource;
        _owned = owned;
    }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => _owned ? DataSource.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (_owned)
        {
            DataSource.Dispose();
        }
    }
}
