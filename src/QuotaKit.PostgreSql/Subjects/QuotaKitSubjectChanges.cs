using Npgsql;

namespace QuotaKit.PostgreSql;

/// <summary>
/// The PostgreSQL channel on which subject changes are announced. QuotaKit's own tables announce every change by
/// trigger. A host that keeps plans in its own tables (with its own <see cref="ISubjectContextResolver"/>) announces its
/// changes with <see cref="PublishAsync"/>, ideally in the transaction that makes them, and evicts its cache in
/// <see cref="SubjectChangeFeed.SubjectChanged"/>: every instance's listener raises it.
/// </summary>
public static class QuotaKitSubjectChanges
{
    /// <summary>The channel: <c>quotakit_subject_changed</c>; the payload is the subject id.</summary>
    public const string Channel = "quotakit_subject_changed";

    /// <summary>
    /// Announces that <paramref name="subjectId"/> changed (<c>SELECT pg_notify('quotakit_subject_changed', id)</c>). In a
    /// transaction, the notification is delivered when it commits, and not at all if it rolls back.
    /// </summary>
    /// <param name="connection">An open connection, possibly in the transaction that changed the subject.</param>
    /// <param name="subjectId">The subject that changed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task PublishAsync(NpgsqlConnection connection, string subjectId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(subjectId);
        await using var command = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Channel });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subjectId });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
