namespace QuotaKit.PostgreSql.Tests.Mutation;

/// <summary>The shipped text of the hot-path function the tracker calls (a <c>CREATE OR REPLACE FUNCTION</c> statement).</summary>
internal static class RecordUsageSql
{
    // The one place the harness reads the function: the frozen file of the version the store calls.
    public static string CreateFunction => FrozenObjects.Read("record_usage.v8.sql");
}
