using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>Turns Npgsql's exceptions into <see cref="QuotaStoreUnavailableException"/>, judging whether a write may have committed.</summary>
internal static class StoreFailure
{
    /// <summary>Wraps a failure that happened before anything was sent, or during a read: nothing was written.</summary>
    public static QuotaStoreUnavailableException NothingWritten(NpgsqlException exception, string operation) =>
        new(operation, outcomeUnknown: false, IsTransient(exception), exception);

    /// <summary>
    /// Wraps a failure after a write was sent. A statement-level error (severity ERROR) rolled the implicit transaction back,
    /// so nothing was written; anything else (a broken connection, a FATAL from a terminated session, a timeout while
    /// reading the answer) may have happened after the commit.
    /// </summary>
    public static QuotaStoreUnavailableException AfterSend(NpgsqlException exception, string operation) =>
        new(operation, outcomeUnknown: exception is not PostgresException { InvariantSeverity: "ERROR" }, IsTransient(exception), exception);

    /// <summary>A broken or refused connection, a restarting server, a timeout, a deadlock: worth trying again.</summary>
    public static bool IsTransient(NpgsqlException exception) =>
        exception.IsTransient
        || exception is not PostgresException
        || exception is PostgresException p && (p.SqlState.StartsWith("08", StringComparison.Ordinal)
                                                || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                                || p.SqlState == PostgresErrorCodes.QueryCanceled);
}
