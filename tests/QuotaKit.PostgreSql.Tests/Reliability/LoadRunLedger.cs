using Npgsql;

namespace QuotaKit.PostgreSql.Tests.Reliability;

/// <summary>Compares what a <see cref="LoadRun"/>'s callers were told with the counters and ledger in the database.</summary>
public static class LoadRunLedger
{
    private const string Sql =
        """
        SELECT s.subject_id,
               coalesce((SELECT sum(c.used) FROM quotakit.usage_counters c WHERE c.subject_id = s.subject_id), 0)::bigint,
               (SELECT count(*) FROM quotakit.usage_events e WHERE e.subject_id = s.subject_id AND e.outcome = 0),
               coalesce((SELECT sum(e.amount) FROM quotakit.usage_events e WHERE e.subject_id = s.subject_id AND e.outcome = 0), 0)::bigint
        FROM unnest($1::text[]) AS s(subject_id)
        """;

    /// <summary>
    /// Keyed subjects: counter used == ledger's allowed units == distinct keys acknowledged as allowed (nothing lost, nothing
    /// double counted). Keyless subjects: acknowledged &lt;= used &lt;= acknowledged + calls whose outcome was unknown.
    /// Returns a line per subject for the test output.
    /// </summary>
    public static async Task<string> VerifyAsync(string connectionString, LoadRun run)
    {
        run.UntypedErrors.Should().BeEmpty("every storage failure must reach callers as QuotaStoreUnavailableException");
        run.NonTransientErrors.Select(e => e.Message).Should().BeEmpty("only outages may fail a call, never QuotaKit's own SQL");
        var subjects = run.Settings.KeyedSubjectIds.Concat(run.Settings.KeylessSubjectIds).ToArray();
        var rows = new Dictionary<string, (long Used, long AllowedEvents, long AllowedUnits)>(StringComparer.Ordinal);
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        await using (var command = dataSource.CreateCommand(Sql))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = subjects });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            }
        }

        long keyedUsed = 0, keylessUsed = 0, keylessAcknowledged = 0;
        foreach (var subject in run.Settings.KeyedSubjectIds)
        {
            var row = rows[subject];
            row.Used.Should().Be(run.AllowedKeys(subject), $"{subject}: every key acknowledged as allowed is counted once");
            row.AllowedUnits.Should().Be(row.Used, $"{subject}: the ledger and the counter agree");
            row.AllowedEvents.Should().Be(run.AllowedKeys(subject), $"{subject}: one allowed event per key");
            keyedUsed += row.Used;
        }

        foreach (var subject in run.Settings.KeylessSubjectIds)
        {
            var used = rows[subject].Used;
            used.Should().BeGreaterThanOrEqualTo(run.AllowedKeyless(subject), $"{subject}: every acknowledged call is counted");
            used.Should().BeLessThanOrEqualTo(
                run.AllowedKeyless(subject) + run.UnknownKeyless(subject),
                $"{subject}: only calls whose outcome was reported unknown may have applied unacknowledged");
            keylessUsed += used;
            keylessAcknowledged += run.AllowedKeyless(subject);
        }

        return $"{run.Summary()}; keyed: used {keyedUsed} == allowed keys; keyless: acknowledged {keylessAcknowledged} <= used {keylessUsed}";
    }
}
