using Npgsql;

namespace QuotaKit.Samples.Console;

/// <summary>
/// Deletes the sample's own subjects and usage from a database the sample did not create, so repeated runs leave
/// nothing behind. A throwaway cluster is deleted whole instead. QuotaKit has no "forget a subject" call (yet), so this
/// is plain SQL on QuotaKit's tables, which all key their rows by subject_id.
/// </summary>
internal static class SampleCleanup
{
    // Children before the subjects they belong to.
    private static readonly string[] Tables =
        ["usage_events", "usage_counters", "subject_grants", "subject_limit_overrides", "subjects"];

    public static async Task<int> DeleteSubjectsAsync(string connectionString, IEnumerable<string> subjectIds)
    {
        var ids = subjectIds.ToArray();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var deleted = 0;
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"DELETE FROM quotakit.{table} WHERE subject_id = ANY(@ids)", connection, transaction);
            command.Parameters.AddWithValue("ids", ids);
            deleted += await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return deleted;
    }
}
