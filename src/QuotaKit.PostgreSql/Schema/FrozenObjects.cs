using System.Reflection;

namespace QuotaKit.PostgreSql;

/// <summary>
/// QuotaKit's database objects per schema version, as frozen SQL files embedded in this assembly
/// (<c>Schema/Objects/{object}.v{N}.sql</c> and <c>.v{N}.drop.sql</c>). A released version's files never change: a change
/// to an object is a new file in a new version and a new migration (docs/architecture.md). Each version's Up runs on
/// a database at the version before it; its Down returns the database to that version.
/// </summary>
internal static class FrozenObjects
{
    /// <summary>The schema version this QuotaKit needs and its newest migration installs.</summary>
    public const int CurrentVersion = 8;

    /// <summary>The statements that take a database from version <paramref name="version"/> − 1 to <paramref name="version"/>.</summary>
    public static IReadOnlyList<string> Up(int version) => version switch
    {
        // Version 1 (0.1.0): emitted exactly as 0.1.0's AddQuotaKitDatabaseObjects did, two statements in this order.
        1 => [Read("no_overlap.v1.sql"), Read("record_usage.v1.sql")],
        2 => [Read("record_usage.v2.sql"), Read("schema_version.v2.sql")],
        3 => [Read("subject_changes.v3.sql"), Read("record_usage.v3.sql"), Read("schema_version.v3.sql")],

        // Version 4: the batched write (issue 16), many writes decided as record_usage_v2 decides them, in one transaction.
        4 => [Read("record_usage_batch.v4.sql"), Read("schema_version.v4.sql")],

        // Version 5: every key of a per-subject table leads with subject_id (issue 16, for Citus). The keys themselves are
        // EF Core operations of the same migration; only the version number is a frozen object.
        5 => [Read("schema_version.v5.sql")],

        // Version 6: reservations (issue 15), holds stored beside the counters and released when they expire; the
        // administrative reset that keeps history.
        6 =>
        [
            Read("usage_holds.v6.sql"), Read("release_expired_holds.v6.sql"), Read("record_usage.v6.sql"), Read("reserve_usage.v6.sql"),
            Read("settle_hold.v6.sql"), Read("reset_counter.v6.sql"), Read("schema_version.v6.sql"),
        ],

        // Version 7: the write's subject check as a PL/pgSQL statement, whose plan the session keeps, instead of a SQL
        // function that PostgreSQL planned again on every write (the hot path's cost since version 3). Same answers.
        7 => [Read("record_usage.v7.sql"), Read("reserve_usage.v7.sql"), Read("schema_version.v7.sql")],

        // Version 8: credit blocks (issue 15 part 3), balances of units a subject spends once, across periods, after the
        // plan's allowance of a period is used up; every write, batch and settle burns and gives them back with its counter.
        8 =>
        [
            Read("credit_blocks.v8.sql"), Read("credit_blocks_usable.v8.sql"), Read("burn_credit_blocks.v8.sql"),
            Read("return_credit_blocks.v8.sql"), Read("roll_over.v8.sql"), Read("release_expired_holds.v8.sql"),
            Read("record_usage.v8.sql"),
            Read("reserve_usage.v8.sql"), Read("record_usage_batch.v8.sql"), Read("settle_hold.v8.sql"),
            Read("reset_counter.v8.sql"), Read("schema_version.v8.sql"),
        ],
        _ => throw UnknownVersion(version),
    };

    /// <summary>The statements that take a database from version <paramref name="version"/> back to <paramref name="version"/> − 1.</summary>
    public static IReadOnlyList<string> Down(int version) => version switch
    {
        1 => [Read("record_usage.v1.drop.sql"), Read("no_overlap.v1.drop.sql")],
        2 => [Read("schema_version.v2.drop.sql"), Read("record_usage.v2.drop.sql")],
        // Version 2's schema_version() returns 2 again (its file is emitted as released); likewise version 3's.
        3 => [Read("schema_version.v2.sql"), Read("record_usage.v3.drop.sql"), Read("subject_changes.v3.drop.sql")],
        4 => [Read("schema_version.v3.sql"), Read("record_usage_batch.v4.drop.sql")],
        5 => [Read("schema_version.v4.sql")],
        6 => [Read("schema_version.v5.sql"), Read("reservations.v6.drop.sql")],
        7 => [Read("schema_version.v6.sql"), Read("record_usage.v7.drop.sql")],
        8 => [Read("schema_version.v7.sql"), Read("credit_blocks.v8.drop.sql")],
        _ => throw UnknownVersion(version),
    };

    /// <summary>The text of one frozen file, exactly as stored.</summary>
    public static string Read(string fileName)
    {
        using var stream = typeof(FrozenObjects).Assembly.GetManifestResourceStream($"QuotaKit.PostgreSql.Objects.{fileName}")
            ?? throw new InvalidOperationException($"The frozen SQL object '{fileName}' is not embedded in {typeof(FrozenObjects).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static ArgumentOutOfRangeException UnknownVersion(int version) =>
        new(nameof(version), version, $"QuotaKit's database objects have versions 1 to {CurrentVersion}; pass one of those.");
}
